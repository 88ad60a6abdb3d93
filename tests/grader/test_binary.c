/*
 * test_binary.c - the grader runs only the binaries it built (binary.c):
 * an installed binary is read-only, and one whose bytes changed after it
 * was installed is refused, by its SHA-256.  Without root or Landlock a
 * program could rewrite a binary of its own user; this is the layer that
 * still catches it.
 */
#include "../../grader/grader.h"
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char S_dir[] = "/tmp/test_binary.XXXXXX";

static char *S_path(const char *name)
{
    return gr_fmt("%s/%s", S_dir, name);
}

static void S_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f);
    fputs(text, f);
    fclose(f);
}

CASE(installed_read_only_and_opened)
{
    CHECK(mkdtemp(S_dir));
    char *from = S_path("prog"), *to = S_path("prog-rel");
    S_write(from, "\x7f"
                  "ELF pretend program\n");
    gr_binary b;
    CHECK(gr_binary_install(from, to, &b) == 0);
    struct stat st;
    CHECK(stat(to, &st) == 0 && (st.st_mode & 0777) == 0555);
    char *why = NULL;
    int fd = gr_binary_open(&b, &why);
    CHECK(fd >= 0 && !why);
    close(fd);
    /* The hash is SHA-256 of the bytes: known answer for "abc". */
    unsigned char h[32];
    gr_sha256("abc", 3, h);
    char *hex = gr_sha256_hex(h);
    CHECK(!strcmp(hex,
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    free(hex);
    gr_binary_free(&b);
    free(from);
    free(to);
    gr_rm_rf(S_dir);
}

CASE(a_changed_binary_is_refused)
{
    CHECK(mkdtemp(S_dir));
    char *from = S_path("prog"), *to = S_path("prog-tsan");
    S_write(from, "\x7f"
                  "ELF the real sanitized program\n");
    gr_binary b;
    CHECK(gr_binary_install(from, to, &b) == 0);
    /* What a planted binary does: make it writable, write other bytes. */
    CHECK(chmod(to, 0755) == 0);
    S_write(to, "#!/bin/sh\nexit 0\n");
    char *why = NULL;
    int fd = gr_binary_open(&b, &why);
    CHECK(fd == -EBADMSG);
    CHECK(why && strstr(why, "not the binary the grader built"));
    free(why);
    /* Replaced by another file under the same name: refused as well. */
    CHECK(unlink(to) == 0);
    S_write(to, "\x7f"
                "ELF the real sanitized program\n!");
    CHECK(gr_binary_open(&b, &why) == -EBADMSG);
    free(why);
    gr_binary_free(&b);
    free(from);
    free(to);
    gr_rm_rf(S_dir);
}

int main(int argc, char **argv)
{
    return check_main(
        argc, argv, CASES(installed_read_only_and_opened, a_changed_binary_is_refused));
}
