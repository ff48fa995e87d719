package dev.chassis.messaging.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The init script is split at semicolons outside literals, quoted names, dollar-quoted bodies and comments. */
class ScriptSplitTest {
    @Test
    void splitsOnlyAtStatementEnds() {
        String script = """
                -- a comment; with a semicolon
                CREATE TABLE a (id INT); /* block; comment */ CREATE TABLE "b;c" (id INT);
                INSERT INTO a VALUES (1); -- trailing; note
                INSERT INTO t (s) VALUES ('it''s; fine
                -- not a comment inside a literal');
                CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;
                CREATE FUNCTION g() RETURNS int AS $body$ SELECT 2; $body$ LANGUAGE sql
                """;
        assertThat(Schema.statements(script)).containsExactly(
                "CREATE TABLE a (id INT)",
                "CREATE TABLE \"b;c\" (id INT)",
                "INSERT INTO a VALUES (1)",
                "INSERT INTO t (s) VALUES ('it''s; fine\n-- not a comment inside a literal')",
                "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql",
                "CREATE FUNCTION g() RETURNS int AS $body$ SELECT 2; $body$ LANGUAGE sql");
        assertThat(Schema.statements("  -- only a comment\n  ;;  ")).isEmpty();
    }
}
