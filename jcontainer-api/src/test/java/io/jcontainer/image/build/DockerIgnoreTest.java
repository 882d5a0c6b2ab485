package io.jcontainer.image.build;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** docker's .dockerignore rules, case by case from the reference and moby's patternmatcher tests. */
class DockerIgnoreTest {

    @Test
    void segmentWildcardsStayInOneSegment() {
        DockerIgnore i = DockerIgnore.parse("*/temp*\n*/*/temp*\ntemp?\n");
        assertThat(i.excluded("somedir/temporary.txt")).isTrue();
        assertThat(i.excluded("somedir/temp")).isTrue();
        assertThat(i.excluded("somedir/subdir/temporary.txt")).isTrue();
        assertThat(i.excluded("tempa")).isTrue();
        assertThat(i.excluded("tempab")).isFalse();
        assertThat(i.excluded("a/b/c/temp1")).isFalse();
        assertThat(i.excluded("temp.txt")).isFalse();
    }

    @Test
    void doubleStarSpansSegments() {
        DockerIgnore i = DockerIgnore.parse("**/*.go\n");
        assertThat(i.excluded("main.go")).isTrue();
        assertThat(i.excluded("a/b/c/main.go")).isTrue();
        assertThat(i.excluded("a/main.goo")).isFalse();
        DockerIgnore j = DockerIgnore.parse("a/**/b\nlogs/**\n");
        assertThat(j.excluded("a/b")).isTrue();
        assertThat(j.excluded("a/x/y/b")).isTrue();
        assertThat(j.excluded("logs/1/2.log")).isTrue();
        assertThat(j.excluded("logsx")).isFalse();
    }

    @Test
    void aPatternMatchingADirectoryExcludesWhatIsUnderIt() {
        DockerIgnore i = DockerIgnore.parse("node_modules\nbuild/\n");
        assertThat(i.excluded("node_modules/x/y.js")).isTrue();
        assertThat(i.excluded("build/out/app")).isTrue();
        assertThat(i.excluded("src/node_modules")).isFalse();
    }

    @Test
    void exceptionsReincludeAndTheLastMatchWins() {
        DockerIgnore i = DockerIgnore.parse("*.md\n!README*.md\nREADME-secret.md\n");
        assertThat(i.excluded("CHANGES.md")).isTrue();
        assertThat(i.excluded("README.md")).isFalse();
        assertThat(i.excluded("README-secret.md")).isTrue();
        DockerIgnore j = DockerIgnore.parse("docs\n!docs/keep.txt\n");
        assertThat(j.excluded("docs/drop.txt")).isTrue();
        assertThat(j.excluded("docs/keep.txt")).isFalse();
        assertThat(j.mayReinclude("docs")).isTrue();
        assertThat(j.mayReinclude("other")).isFalse();
    }

    @Test
    void leadingSlashDotSlashAndCommentsAndBlanks() {
        DockerIgnore i = DockerIgnore.parse("# comment\n\n  /secret.txt  \n./tmp/../cache\n!\n");
        assertThat(i.excluded("secret.txt")).isTrue();
        assertThat(i.excluded("cache/x")).isTrue();
        assertThat(i.excluded("tmp")).isFalse();
        assertThat(i.patterns()).containsExactly("secret.txt", "cache", "!");
    }

    @Test
    void classesAndEscapes() {
        DockerIgnore i = DockerIgnore.parse("file[0-9].txt\nliteral\\*star\n");
        assertThat(i.excluded("file7.txt")).isTrue();
        assertThat(i.excluded("filex.txt")).isFalse();
        assertThat(i.excluded("literal*star")).isTrue();
        assertThat(i.excluded("literalXstar")).isFalse();
    }

    @Test
    void dotAndEverything() {
        DockerIgnore i = DockerIgnore.parse("*\n!src\n");
        assertThat(i.excluded("Dockerfile")).isTrue();
        assertThat(i.excluded("src/main.c")).isFalse();
    }
}
