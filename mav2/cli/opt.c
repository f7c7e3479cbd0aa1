/* SPDX-License-Identifier: Apache-2.0 */
/* opt.c: parsing, help and the required check, from a command's option table (opt.h). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mav2/cli/cli.h"
#include "mav2/cli/opt.h"

#define MAX_OPTS 96

/* The table with its groups flattened: entries and the offset of each one's value. */
typedef struct {
    const mav2_cli_opt *e[MAX_OPTS];
    size_t off[MAX_OPTS];
    size_t n;
} flat_opts;

static int flatten(flat_opts *f, const mav2_cli_opt *t, size_t base)
{
    for (; t != NULL && t->kind != MAV2_OPT_END; t++) {
        if (t->kind == MAV2_OPT_GROUP) {
            if (!flatten(f, t->group, base + t->offset))
                return 0;
            continue;
        }
        if (t->kind == MAV2_OPT_TEXT)
            continue;
        if (f->n == MAX_OPTS)
            return 0;
        f->e[f->n] = t;
        f->off[f->n++] = base + t->offset;
    }
    return 1;
}

static int flat_of(const mav2_cli_cmd *cmd, flat_opts *f)
{
    f->n = 0;
    if (cmd->page == NULL || flatten(f, cmd->page->opts, 0))
        return 1;
    mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "more than %d options", MAX_OPTS);
    return 0;
}

/* Stores the value of option o (arg its value) in field; 0 after printing why not. */
static int store(const mav2_cli_cmd *cmd, const mav2_cli_opt *o, void *field, const char *arg)
{
    switch (o->kind) {
    case MAV2_OPT_FLAG:
        *(int *)(void *)field = 1;
        return 1;
    case MAV2_OPT_STRING:
        *(const char **)(void *)field = arg;
        return 1;
    case MAV2_OPT_SETTER:
        return o->set(cmd, o, field, arg);
    default:
        return 1;
    }
}

/* One getopt_long step's usage errors as one line; returns MAV2_EXIT_USAGE. */
static int usage_error(const mav2_cli_cmd *cmd, int c, int prev, int argc, char **argv)
{
    const char *bad = prev < argc ? argv[prev] : "?";
    if (c == ':')
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "option %s needs a value", bad);
    if (c == '?')
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "unknown option %s (see mav2 %s --help)", bad,
                             cmd->name);
    return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "unexpected argument \"%s\" (see mav2 %s --help)",
                         argv[optind], cmd->name);
}

/* 1 if every MAV2_OPT_REQUIRED option of f is set in base; else prints
 * "NAME[, NAME] and NAME are required" naming those that are not and returns 0. */
static int require(const mav2_cli_cmd *cmd, const flat_opts *f, const void *base)
{
    char names[8][64];
    const char *missing[8];
    size_t n = 0;

    for (size_t i = 0; i < f->n && n < sizeof(missing) / sizeof(missing[0]); i++)
        if ((f->e[i]->flags & MAV2_OPT_REQUIRED) &&
            *(const char *const *)(const void *)((const char *)base + f->off[i]) == NULL) {
            snprintf(names[n], sizeof(names[n]), "--%s", f->e[i]->name);
            missing[n] = names[n];
            n++;
        }
    return n == 0 ? 1 : (mav2_cli_fail_missing(cmd, missing, n), 0);
}

/* mav2_cli_opts_parse, and with args (not NULL) the arguments that are not options
 * into args[0 .. max) and *n. */
static int parse(const mav2_cli_cmd *cmd, void *base, const char **args, size_t max, size_t *n,
                 int argc, char **argv)
{
    struct option all[MAX_OPTS + 2];
    flat_opts f;
    int c, prev;

    if (!flat_of(cmd, &f))
        return MAV2_EXIT_INTERNAL;
    for (size_t i = 0; i < f.n; i++)
        all[i] = (struct option){f.e[i]->name,
                                 f.e[i]->kind == MAV2_OPT_FLAG ? no_argument : required_argument,
                                 NULL, 256 + (int)i};
    all[f.n] = (struct option){"help", no_argument, NULL, 'h'};
    all[f.n + 1] = (struct option){NULL, 0, NULL, 0};
    optind = 1;
    opterr = 0;
    for (;;) {
        prev = optind;
        /* "+": stop at the first non-option, refused below; "-": return it as 1 */
        c = getopt_long(argc, argv, args != NULL ? "-:h" : "+:h", all, NULL);
        if (c == -1)
            break;
        if (c == 'h') {
            mav2_cli_help_print(cmd);
            return MAV2_EXIT_OK;
        }
        if (c == 1 && *n < max) {
            args[(*n)++] = optarg;
            continue;
        }
        if (c == 1)
            return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                                 "unexpected argument \"%s\" (see mav2 %s --help)", optarg,
                                 cmd->name);
        if (c < 256)
            return usage_error(cmd, c, prev, argc, argv);
        if (!store(cmd, f.e[c - 256], (char *)base + f.off[c - 256], optarg))
            return MAV2_EXIT_USAGE;
    }
    if (optind < argc)
        return usage_error(cmd, -1, prev, argc, argv);
    return require(cmd, &f, base) ? MAV2_CLI_PARSED : MAV2_EXIT_USAGE;
}

int mav2_cli_opts_parse(const mav2_cli_cmd *cmd, void *base, int argc, char **argv)
{
    return parse(cmd, base, NULL, 0, NULL, argc, argv);
}

int mav2_cli_opts_parse_args(const mav2_cli_cmd *cmd, void *base, const char **args, size_t max,
                             size_t *n, int argc, char **argv)
{
    *n = 0;
    return parse(cmd, base, args, max, n, argc, argv);
}

int mav2_cli_opts_parse_first(const mav2_cli_cmd *cmd, void *base, const char **first, int argc,
                              char **argv)
{
    *first = NULL;
    if (argc > 1 && argv[1][0] != '-') {
        *first = argv[1];
        argc--;
        argv++;
    }
    return mav2_cli_opts_parse(cmd, base, argc, argv);
}

#define HELP_WIDTH 79
static const char required_mark[] = " (required)";

/* Prints the line of help text at h (to its '\n'), the text at column at; after the
 * last line of a required option's help, required_mark (on a line of its own at
 * column col when it does not fit). Returns the next line. */
static const char *help_line(const char *h, int at, int col, int req, FILE *out)
{
    const char *nl = strchr(h, '\n');
    int len = nl ? (int)(nl - h) : (int)strlen(h);

    fprintf(out, "%.*s", len, h);
    if (req && (nl == NULL || nl[1] == '\0')) {
        if (at + len + (int)sizeof(required_mark) - 1 <= HELP_WIDTH)
            fputs(required_mark, out);
        else
            fprintf(out, "\n%*s%s", col, "", required_mark + 1);
    }
    fputc('\n', out);
    return nl ? nl + 1 : h + len;
}

/* "    --NAME ARG" padded to the help column col, or the term alone on its line. */
static void help_entry(const mav2_cli_opt *o, int col, FILE *out)
{
    char term[128];
    const char *h = o->help;
    int req = (o->flags & MAV2_OPT_REQUIRED) != 0, w, at;

    if (o->term != NULL)
        w = snprintf(term, sizeof(term), "%s", o->term);
    else
        w = snprintf(term, sizeof(term), "--%s%s%s", o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
    if (*h == '\n') {
        fprintf(out, "    %s\n", term);
        h++;
    } else {
        at = w <= col - 5 ? col : w + 6;
        fprintf(out, "    %-*s", at - 4, term);
        h = help_line(h, at, col, req, out);
    }
    while (*h != '\0') {
        fprintf(out, "%*s", col, "");
        h = help_line(h, col, col, req, out);
    }
}

/* The help lines of table t: a group's own, or (its help NULL) its entries'. */
static void help_table(const mav2_cli_opt *t, int col, FILE *out)
{
    for (; t != NULL && t->kind != MAV2_OPT_END; t++)
        if (t->kind == MAV2_OPT_GROUP && t->help == NULL)
            help_table(t->group, col, out);
        else if (t->help != NULL)
            help_entry(t, col, out);
}

void mav2_cli_help_print(const mav2_cli_cmd *cmd)
{
    static const mav2_cli_opt help = {"help",      NULL, MAV2_OPT_FLAG, 0, NULL,
                                      "this text", NULL, NULL,          0};
    const mav2_cli_opt *end;
    int col;

    if (cmd->page == NULL) {
        fputs(cmd->help, stdout);
        return;
    }
    for (end = cmd->page->opts; end->kind != MAV2_OPT_END; end++)
        ;
    col = end->offset != 0 ? (int)end->offset : 25;
    fputs(cmd->page->head, stdout);
    if (cmd->page->tail == NULL)
        return;
    help_table(cmd->page->opts, col, stdout);
    help_entry(&help, col, stdout);
    fputs(cmd->page->tail, stdout);
}

int mav2_cli_dispatch(const mav2_cli_cmd *self, const mav2_cli_sub *t, size_t n, int argc,
                      char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            mav2_cli_help_print(self);
            return MAV2_EXIT_OK;
        }
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "which one? (see mav2 %s --help)", self->name);
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[1], t[i].name) == 0) {
            char name[64];
            mav2_cli_cmd sub = *self;
            snprintf(name, sizeof(name), "%s %s", self->name, t[i].name);
            sub.name = name;
            if (t[i].help != NULL)
                sub.help = t[i].help;
            return t[i].run(&sub, argc - 1, argv + 1);
        }
    return mav2_cli_fail(self, MAV2_EXIT_USAGE, "unknown subcommand \"%s\" (see mav2 %s --help)",
                         argv[1], self->name);
}
