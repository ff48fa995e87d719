package dev.chassis.launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.util.Enumeration;
import java.util.jar.Manifest;

/**
 * The {@code Main-Class} of a service jar packaged with {@code chassis-service-parent}. On Java 21 or newer it calls
 * the {@code main} method of the class named by the jar manifest's {@value #MAIN_CLASS_ATTRIBUTE} attribute (the
 * project's {@code exec.mainClass}), with the same arguments. On an older Java it prints one line to standard error
 * that names the Java it found, where it is, and how to run a newer one, and exits with status 1.
 *
 * <p>Compiled for Java 8, so that any {@code java} can load it and say so, instead of failing with an
 * {@code UnsupportedClassVersionError} on the service's own classes.
 */
public final class Launcher {
    /** The manifest attribute that names the service's main class. */
    public static final String MAIN_CLASS_ATTRIBUTE = "Chassis-Main-Class";

    /** The oldest Java feature release Chassis runs on. */
    public static final int REQUIRED_JAVA = 21;

    private Launcher() {
    }

    /**
     * Checks the running Java and runs the service's main class.
     *
     * @param args passed on to the service's {@code main}
     * @throws Throwable whatever the service's {@code main} throws, unwrapped
     */
    public static void main(String[] args) throws Throwable {
        String problem = javaProblem(System.getProperty("java.specification.version"),
                System.getProperty("java.home"), System.getProperty("java.class.path"));
        if (problem != null) {
            System.err.println(problem);
            System.exit(1);
            return;
        }
        String name = mainClassName(Launcher.class.getClassLoader());
        if (name == null) {
            System.err.println("This jar names no main class to run (no " + MAIN_CLASS_ATTRIBUTE + " in its manifest):"
                    + " set <exec.mainClass> in the <properties> of your pom.xml to the class with your main method,"
                    + " and package it again.");
            System.exit(1);
            return;
        }
        run(name, args);
    }

    /**
     * What is wrong with the running Java, or {@code null} when it is new enough.
     *
     * @param specificationVersion the {@code java.specification.version} property ({@code 1.8}, {@code 17}, ...)
     * @param javaHome the {@code java.home} property
     * @param classPath the {@code java.class.path} property: its first entry is the jar that was started
     * @return one line that names the Java found and the fix, or {@code null} on Java 21 or newer
     */
    static String javaProblem(String specificationVersion, String javaHome, String classPath) {
        int feature = feature(specificationVersion);
        if (feature >= REQUIRED_JAVA) {
            return null;
        }
        String jar = classPath == null || classPath.isEmpty() ? "your-service.jar"
                : classPath.split(File.pathSeparator, 2)[0];
        return "Chassis needs Java " + REQUIRED_JAVA + " or newer; this is Java " + specificationVersion + " at "
                + javaHome + ": set JAVA_HOME to a JDK " + REQUIRED_JAVA + "+ and run \"$JAVA_HOME/bin/java\" -jar "
                + jar + " (or put that JDK's bin first on PATH).";
    }

    /** The feature release of a {@code java.specification.version}: 8 for "1.8", 17 for "17"; 0 if unreadable. */
    static int feature(String specificationVersion) {
        if (specificationVersion == null) {
            return 0;
        }
        String v = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
        int dot = v.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The main class named by the first manifest on the class path that has {@value #MAIN_CLASS_ATTRIBUTE}.
     *
     * @param loader where to look for {@code META-INF/MANIFEST.MF}
     * @return the class name, or {@code null} when no manifest names one
     * @throws IOException when a manifest cannot be read
     */
    static String mainClassName(ClassLoader loader) throws IOException {
        Enumeration<URL> manifests = loader.getResources("META-INF/MANIFEST.MF");
        while (manifests.hasMoreElements()) {
            try (InputStream in = manifests.nextElement().openStream()) {
                String name = new Manifest(in).getMainAttributes().getValue(MAIN_CLASS_ATTRIBUTE);
                if (name != null && !name.trim().isEmpty()) {
                    return name.trim();
                }
            }
        }
        return null;
    }

    private static void run(String name, String[] args) throws Throwable {
        Method main;
        try {
            main = Class.forName(name, true, Launcher.class.getClassLoader()).getMethod("main", String[].class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new IllegalStateException(MAIN_CLASS_ATTRIBUTE + " " + name + " is not a class with a public static"
                    + " void main(String[]) on the class path: check <exec.mainClass> in your pom.xml", e);
        }
        if (!Modifier.isStatic(main.getModifiers())) {
            throw new IllegalStateException(name + ".main(String[]) is not static; " + MAIN_CLASS_ATTRIBUTE
                    + " must name a class with a public static void main(String[])");
        }
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
