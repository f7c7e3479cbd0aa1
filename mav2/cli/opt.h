/* SPDX-License-Identifier: Apache-2.0 */
/* opt.h: the option table of a `mav2` command. Each option is written once, as one
 * entry: its name, its kind, where its value goes (an offset into the command's
 * options struct), its help text and whether it is required. The parser, the
 * OPTIONS section of the command's --help page (and so mav2.1 and the bash
 * completion, which tools/mkdoc.sh makes from the help pages) and the "are
 * required" check are all generated from the table.
 *
 * Adding an option to a command is one entry in its table, e.g.
 *     MAV2_OPT_STR("paymaster-token", "ADDR", struct send_opts, token, "the ERC-20 ...")
 * plus a field in the options struct. Options shared by several commands are
 * groups (MAV2_OPT_GROUP: a table of its own over a struct of its own, reused by
 * every command that embeds that struct); see online.h and replace.h. */
#ifndef MAV2_CLI_OPT_H
#define MAV2_CLI_OPT_H

#include <stddef.h>

typedef struct mav2_cli_cmd mav2_cli_cmd;
typedef struct mav2_cli_opt mav2_cli_opt;

/* A setter: parses arg into *field for option opt; on bad input prints one line
 * (mav2_cli_fail, naming --NAME) and returns 0, else 1. */
typedef int (*mav2_cli_opt_set)(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                                const char *arg);

typedef enum {
    MAV2_OPT_END = 0, /* ends a table; offset: the page's help column (0: 25) */
    MAV2_OPT_FLAG,    /* no value: the int at offset is set to 1 */
    MAV2_OPT_STRING,  /* the const char * at offset is the value (checked later) */
    MAV2_OPT_SETTER,  /* set(cmd, opt, base + offset, value) parses the value */
    MAV2_OPT_GROUP,   /* the entries of group, their offsets relative to offset */
    MAV2_OPT_TEXT     /* no option: a line of the help only (term, help) */
} mav2_cli_opt_kind;

enum {
    MAV2_OPT_REQUIRED = 1 /* STRING: the parser refuses a command line without it */
};

struct mav2_cli_opt {
    const char *name; /* without "--" */
    const char *arg;  /* the value's name in the help ("URL"); NULL: a flag */
    mav2_cli_opt_kind kind;
    size_t offset;             /* of the value in the options struct */
    mav2_cli_opt_set set;      /* MAV2_OPT_SETTER */
    const char *help;          /* lines separated by '\n'; a leading '\n' puts the term
                                * on a line of its own; NULL: described by the entry
                                * before it (see term); a group's: one entry for all */
    const char *term;          /* the help's term when not "--NAME ARG" */
    const mav2_cli_opt *group; /* MAV2_OPT_GROUP */
    unsigned flags;            /* MAV2_OPT_REQUIRED */
};

#define MAV2_OPT_FLAG_(name, type, field, help)                                                    \
    {                                                                                              \
        (name), NULL, MAV2_OPT_FLAG, offsetof(type, field), NULL, (help), NULL, NULL, 0            \
    }
#define MAV2_OPT_STR(name, arg, type, field, help)                                                 \
    {                                                                                              \
        (name), (arg), MAV2_OPT_STRING, offsetof(type, field), NULL, (help), NULL, NULL, 0         \
    }
#define MAV2_OPT_STR_REQ(name, arg, type, field, help)                                             \
    {                                                                                              \
        (name), (arg), MAV2_OPT_STRING, offsetof(type, field), NULL, (help), NULL, NULL,           \
            MAV2_OPT_REQUIRED                                                                      \
    }
#define MAV2_OPT_SET(name, arg, type, field, setter, help)                                         \
    {                                                                                              \
        (name), (arg), MAV2_OPT_SETTER, offsetof(type, field), (setter), (help), NULL, NULL, 0     \
    }
#define MAV2_OPT_GROUP_(table, type, field)                                                        \
    {                                                                                              \
        NULL, NULL, MAV2_OPT_GROUP, offsetof(type, field), NULL, NULL, NULL, (table), 0            \
    }
/* A group described in the help by one entry (term, help) instead of its own. */
#define MAV2_OPT_GROUP_AS(table, type, field, term, help)                                          \
    {                                                                                              \
        NULL, NULL, MAV2_OPT_GROUP, offsetof(type, field), NULL, (help), (term), (table), 0        \
    }
/* A help entry that is no option: e.g. what a MAV2_OPT_GROUP_AS says in more lines. */
#define MAV2_OPT_TEXT_(term, help)                                                                 \
    {                                                                                              \
        NULL, NULL, MAV2_OPT_TEXT, 0, NULL, (help), (term), NULL, 0                                \
    }
#define MAV2_OPT_END_                                                                              \
    {                                                                                              \
        NULL, NULL, MAV2_OPT_END, 0, NULL, NULL, NULL, NULL, 0                                     \
    }
/* Ends a command's table whose help texts start at column col, not 25. */
#define MAV2_OPT_END_AT(col)                                                                       \
    {                                                                                              \
        NULL, NULL, MAV2_OPT_END, (col), NULL, NULL, NULL, NULL, 0                                 \
    }

/* A command's --help page: head (NAME .. "OPTIONS\n"), the options of opts as
 * "    --NAME ARG           help" lines (a required one's help ending "(required)")
 * and "--help", then tail. A page whose text is written whole (its options
 * described in its prose, the required ones unbracketed in its SYNOPSIS) has tail
 * NULL: head is the page, the table only parses. */
typedef struct {
    const char *head;
    const mav2_cli_opt *opts;
    const char *tail;
} mav2_cli_page;

/* Returned by mav2_cli_opts_parse when the command goes on. */
#define MAV2_CLI_PARSED (-1)

/* Parses argv (argv[0] the command's name) with cmd->page->opts into the options
 * struct at base. Positional arguments are refused, and so is a command line without
 * a MAV2_OPT_REQUIRED option ("NAME[, NAME] and NAME are required", naming those
 * missing). Returns MAV2_CLI_PARSED, or the exit code to return now: MAV2_EXIT_OK
 * after printing the --help page, MAV2_EXIT_USAGE after printing why the command
 * line is bad. */
int mav2_cli_opts_parse(const mav2_cli_cmd *cmd, void *base, int argc, char **argv);

/* Same, after taking a first argument not starting with '-' (`mav2 receipt HASH
 * ...`) into *first (else NULL). */
int mav2_cli_opts_parse_first(const mav2_cli_cmd *cmd, void *base, const char **first, int argc,
                              char **argv);

/* Same, taking the arguments that are not options, wherever they stand (`mav2 decode
 * SIG DATA --json`), into args (at most max; one more is refused) and their count
 * into *n. */
int mav2_cli_opts_parse_args(const mav2_cli_cmd *cmd, void *base, const char **args, size_t max,
                             size_t *n, int argc, char **argv);

/* Prints cmd's help page: its page (head, generated options, tail), else cmd->help. */
void mav2_cli_help_print(const mav2_cli_cmd *cmd);

/* A subcommand of a group: `mav2 GROUP NAME ...`. */
typedef struct {
    const char *name;
    int (*run)(const mav2_cli_cmd *self, int argc, char **argv);
    const char *summary;
    const char *help; /* its --help text; NULL: the group's (or its own, set in run) */
} mav2_cli_sub;

/* Runs the subcommand of t (n entries) that argv[1] names, as "GROUP NAME"; prints
 * the group's page for --help. Returns the exit code. */
int mav2_cli_dispatch(const mav2_cli_cmd *self, const mav2_cli_sub *t, size_t n, int argc,
                      char **argv);

#endif
