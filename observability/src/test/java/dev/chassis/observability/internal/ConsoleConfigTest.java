package dev.chassis.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.chassis.core.config.Setting;

/** Credentials inside settings that are not declared secret never reach the console's configuration view. */
class ConsoleConfigTest {
    @Test
    void credentialsInUrlsAreMasked() {
        assertThat(ConsoleConfig.unsecret("postgresql://app:s3cret@db:5432/orders"))
                .isEqualTo("postgresql://" + Setting.MASK + "@db:5432/orders")
                .doesNotContain("s3cret");
        assertThat(ConsoleConfig.unsecret("jdbc:postgresql://db/orders?user=app&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/orders?user=app&password=" + Setting.MASK + "&ssl=true");
        assertThat(ConsoleConfig.unsecret("https://collector:4318/v1/traces?api_key=abc;token=def"))
                .doesNotContain("abc").doesNotContain("def");
        assertThat(ConsoleConfig.unsecret("jdbc:oracle:thin:scott/tiger@//db:1521/ORCL"))
                .isEqualTo("jdbc:oracle:thin:" + Setting.MASK + "@//db:1521/ORCL");
        assertThat(ConsoleConfig.unsecret("jdbc:oracle:oci:scott/tiger@db:1521:ORCL")).doesNotContain("tiger");
        assertThat(ConsoleConfig.unsecret("jdbc:sqlserver://db:1433;user=sa;pwd=Secr3t;encrypt=true"))
                .isEqualTo("jdbc:sqlserver://db:1433;user=sa;pwd=" + Setting.MASK + ";encrypt=true");
        assertThat(ConsoleConfig.unsecret("jdbc:mysql://db/x?user=a&pwd=Secr3t")).doesNotContain("Secr3t");
        assertThat(ConsoleConfig.unsecret("jdbc:sqlserver://db:1433;user=sa;password=Secr3t")).doesNotContain("Secr3t");
        assertThat(ConsoleConfig.unsecret("jdbc:oracle:thin:@//db:1521/ORCL")).isEqualTo("jdbc:oracle:thin:@//db:1521/ORCL");
        assertThat(ConsoleConfig.unsecret("http://inventory:8082")).isEqualTo("http://inventory:8082");
        assertThat(ConsoleConfig.unsecret(null)).isNull();
    }
}
