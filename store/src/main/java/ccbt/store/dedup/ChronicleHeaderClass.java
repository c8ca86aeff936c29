package ccbt.store.dedup;

import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * A build step (the store module's {@code process-classes}, see its pom), not part of the engine.
 *
 * <p>Chronicle Map keeps its file header in a Chronicle Values interface, {@code VanillaGlobalMutableState}, whose
 * off-heap implementation it generates as Java source and compiles with javac the first time a map is opened in a
 * process, unless a class of that name is already on the class path. That compile cost every process that opens the
 * chunk index (any Xet torrent, seeding or downloading) about 1.8 s of CPU before its first byte
 * (docs/performance.md). This step asks Chronicle's own generator for the same source, for the library version on the
 * build's class path, and compiles it into the module's classes, so the map finds it and javac never runs.
 */
final class ChronicleHeaderClass {
    static final String HEADER = "net.openhft.chronicle.hash.VanillaGlobalMutableState";

    private ChronicleHeaderClass() {
    }

    /** {@code args[0]}: the classes directory the compiled header goes into. */
    public static void main(final String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ChronicleHeaderClass CLASSES_DIR");
        }
        final Path classes = Path.of(args[0]);
        final String name = HEADER + nativeSuffix();
        final String source = nativeSource(Class.forName(HEADER), name.substring(name.lastIndexOf('.') + 1));
        compile(name, source, classes);
        final Path written = classes.resolve(name.replace('.', '/') + ".class");
        if (!Files.isRegularFile(written)) {
            throw new IllegalStateException("javac reported success but wrote no " + written);
        }
        System.out.println("ChronicleHeaderClass: wrote " + written);
    }

    private static String nativeSuffix() throws ReflectiveOperationException {
        return (String) Class.forName("net.openhft.chronicle.values.ValueModel").getField("$$NATIVE").get(null);
    }

    /** The source Chronicle Values would compile at run time for {@code valueInterface}'s off-heap class. */
    private static String nativeSource(final Class<?> valueInterface, final String simpleName)
        throws ReflectiveOperationException {
        final Class<?> modelClass = Class.forName("net.openhft.chronicle.values.ValueModel");
        final Object model = modelClass.getMethod("acquire", Class.class).invoke(null, valueInterface);
        final Method generate = Class.forName("net.openhft.chronicle.values.Generators")
            .getDeclaredMethod("generateNativeClass", modelClass, String.class);
        generate.setAccessible(true);
        return (String) generate.invoke(null, model, simpleName);
    }

    private static void compile(final String name, final String source, final Path classes) throws IOException {
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in " + System.getProperty("java.home"));
        }
        final SimpleJavaFileObject unit = new SimpleJavaFileObject(
            URI.create("string:///" + name.replace('.', '/') + ".java"), SimpleJavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(final boolean ignoreEncodingErrors) {
                return source;
            }
        };
        final StringWriter messages = new StringWriter();
        final List<String> options = List.of("-d", classes.toString(), "-classpath",
            System.getProperty("java.class.path"), "-nowarn", "-proc:none");
        if (!javac.getTask(messages, null, null, options, null, List.of(unit)).call()) {
            throw new IllegalStateException("compiling " + name + " failed:\n" + messages + "\n" + source);
        }
    }
}
