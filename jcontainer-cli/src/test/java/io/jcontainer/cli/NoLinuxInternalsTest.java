package io.jcontainer.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.DataInputStream;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI is an ordinary client of the public API: no class of its main code may refer to
 * {@code io.jcontainer.linux}. Checked on the compiled classes' constant pools (every class a
 * class uses is a {@code Class} entry, every type in a signature an {@code Lio/jcontainer/linux/...;}
 * in a descriptor, whatever the source spelled: an import, a fully qualified name, a wildcard;
 * a string such as a resource path is not a reference) — and, for a clear message, on the
 * sources' imports.
 */
class NoLinuxInternalsTest {

    @Test
    void noMainClassRefersToALinuxInternal() throws IOException {
        Path classes = Path.of("target/classes/io/jcontainer/cli");
        assertThat(classes).isDirectory();
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> s = Files.walk(classes)) {
            for (Path c : s.filter(p -> p.toString().endsWith(".class")).toList())
                for (String ref : linuxReferences(Files.readAllBytes(c))) offenders.add(classes.relativize(c) + " -> " + ref);
        }
        assertThat(offenders).as("jcontainer-cli classes referring to io.jcontainer.linux (use the lifecycle API: io.jcontainer.lifecycle)")
                .isEmpty();
    }

    @Test
    void noMainSourceNamesALinuxInternal() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Path.of("src/main/java"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++)
                    if (lines.get(i).matches("\\s*import\\s+(static\\s+)?io\\.jcontainer\\.linux\\..*"))
                        offenders.add(f + ":" + (i + 1) + ": " + lines.get(i).trim());
            }
        }
        assertThat(offenders).as("jcontainer-cli sources naming io.jcontainer.linux").isEmpty();
    }

    /**
     * The io.jcontainer.linux types a class file refers to, read from its constant pool (JVMS
     * 4.4; java.lang.classfile is still a preview at this release level).
     */
    static List<String> linuxReferences(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) throw new IOException("not a class file");
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classNames = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNames.add(in.readUnsignedShort());
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 15 -> in.skipNBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 5, 6 -> {
                    in.skipNBytes(8);
                    i++; // takes two entries
                }
                default -> throw new IOException("constant pool tag " + tag + " at entry " + i);
            }
        }
        List<String> refs = new ArrayList<>();
        for (int n : classNames)
            if (utf8[n].replaceFirst("^\\[*L?", "").startsWith("io/jcontainer/linux/")) refs.add(utf8[n]);
        for (String u : utf8)
            if (u != null && u.contains("Lio/jcontainer/linux/")) refs.add(u); // a descriptor or signature
        return refs;
    }

    @Test
    void theCheckSeesReferencesAndNotStrings() throws IOException {
        byte[] cli = Files.readAllBytes(Path.of("target/classes/io/jcontainer/cli/InfoCommand.class"));
        assertThat(linuxReferences(cli)).isEmpty(); // it names a resource path under /io/jcontainer/linux/native
        byte[] linux;
        try (var in = NoLinuxInternalsTest.class.getClassLoader().getResourceAsStream("io/jcontainer/linux/LinuxContainers.class")) {
            linux = in.readAllBytes(); // on the test class path: jcontainer-linux is a runtime dependency
        }
        assertThat(linuxReferences(linux)).contains("io/jcontainer/linux/state/ContainerStore");
    }
}
