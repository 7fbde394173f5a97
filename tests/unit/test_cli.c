/* ---------------------------------------------------------------------------------------------
 * tests/unit/test_cli.c — the command line's option tables and parser (apps/), without MPI:
 * every command's table is sound (each option once, with help, a valid default, consistent
 * flags), parsing splits arguments as documented and refuses what it must, values are checked
 * against types and ranges, and every status has its exit code.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>

static cli_command algos[CLI_MAX_COMMANDS];
static const cli_command *cmds[CLI_MAX_COMMANDS + 1];

static const cli_command *command(const char *name)
{
    cli_all_commands(algos, cmds);
    const cli_command *c = cli_find_command(cmds, name);
    cr_assert_not_null(c, "no command %s", name);
    return c;
}

/* Parses argv (NULL-terminated) for `name` at `nranks` ranks; returns the status. The parser
 * keeps pointers into argv, and ARGS's array lives only as long as the block around the call
 * (inside cr_assert_eq that ends before the values are read): parse a copy that outlives it. */
static int parse(cli *c, const char *name, int nranks, char **argv)
{
    static char *kept[64];
    int argc = 0;
    while (argv[argc]) {
        cr_assert_lt(argc, 63);
        kept[argc] = argv[argc];
        argc++;
    }
    kept[argc] = NULL;
    memset(c, 0, sizeof *c);
    c->cmd = command(name);
    c->nranks = nranks;
    amls_clear_error();
    return cli_parse(c, argc, kept);
}

#define ARGS(...) ((char *[]){__VA_ARGS__, NULL})

Test(cli_tables, every_option_is_sound_and_listed_once)
{
    int n = cli_all_commands(algos, cmds);
    cr_assert_geq(n, 16);
    for (int i = 0; i < n; i++) {
        cli c = {.cmd = cmds[i], .nranks = 4};
        cr_assert_eq(cli_parse(&c, 0, NULL), AMLS_OK, "%s: %s", cmds[i]->name, amls_last_error());
        cr_assert_not_null(cmds[i]->run, "%s has no function", cmds[i]->name);
        cr_assert(cmds[i]->summary && cmds[i]->usage, "%s: no summary or usage", cmds[i]->name);
        cr_assert(!(cmds[i]->flags & CLI_RAW) || cmds[i]->help,
                  "%s: parses its own arguments "
                  "but has no help",
                  cmds[i]->name);
        for (int k = 0; k < c.nopt; k++) {
            const cli_opt *o = c.opt[k];
            for (int j = k + 1; j < c.nopt; j++) {
                cr_assert_str_neq(o->name, c.opt[j]->name, "%s: --%s twice", cmds[i]->name,
                                  o->name);
                cr_assert(!o->shortname || o->shortname != c.opt[j]->shortname, "%s: -%c twice",
                          cmds[i]->name, o->shortname);
            }
            cr_assert(o->help && *o->help, "%s: --%s has no help", cmds[i]->name, o->name);
            cr_assert(o->kind == CLI_FLAG || o->arg, "%s: --%s has no value name", cmds[i]->name,
                      o->name);
            cr_assert(!(o->flags & CLI_REQUIRED) || !o->def, "%s: --%s: required with a default",
                      cmds[i]->name, o->name);
            cr_assert(o->kind != CLI_CHOICE || o->choices, "%s: --%s: no choices", cmds[i]->name,
                      o->name);
            if (o->def)
                cr_assert_eq(cli_check_value(&c, o, o->def), AMLS_OK, "%s: --%s default: %s",
                             cmds[i]->name, o->name, amls_last_error());
        }
        free(c.slot);
        free(c.used);
    }
}

Test(cli_tables, builtins_document_engine_checkpoints_and_params)
{
    const char *want[] = {"engine",         "variant", "verify", "checkpoint-every",
                          "checkpoint-dir", "restart", "param",  "output",
                          "stats",          NULL};
    cli c;
    cr_assert_eq(parse(&c, "pagerank", 2, ARGS("--input", "g.txt")), AMLS_OK);
    for (int w = 0; want[w]; w++) {
        bool found = false;
        for (int k = 0; k < c.nopt; k++)
            found |= strcmp(c.opt[k]->name, want[w]) == 0;
        cr_assert(found, "pagerank lacks --%s", want[w]);
    }
    free(c.slot);
}

/* --stats is every command's (one group the parser adds), but plot's, which runs without MPI and
 * whose options are Python's. */
Test(cli_tables, every_command_takes_stats_but_plot)
{
    int n = cli_all_commands(algos, cmds);
    for (int i = 0; i < n; i++) {
        if (cmds[i]->flags & CLI_RAW)
            continue;
        cli c = {.cmd = cmds[i], .nranks = 2};
        char *argv[] = {"--stats", "s.json", NULL};
        int rc = cli_parse(&c, 2, argv);
        bool local = (cmds[i]->flags & CLI_LOCAL) != 0;
        cr_assert_eq(rc, local ? AMLS_ERR_PARAM : AMLS_OK, "%s --stats: %s", cmds[i]->name,
                     amls_last_error());
        if (!local)
            cr_assert_str_eq(cli_str(&c, "stats"), "s.json", "%s", cmds[i]->name);
        free(c.slot);
    }
    cli c;
    cr_assert_eq(parse(&c, "plot", 1, ARGS("s.json", "-o", "p.png", "--kind", "degrees")), AMLS_OK);
    cr_assert_str_eq(c.pos, "s.json");
    cr_assert_str_eq(cli_str(&c, "output"), "p.png");
    free(c.slot);
}

Test(cli_parse, long_short_inline_and_defaults)
{
    cli c;
    cr_assert_eq(parse(&c, "info", 2, ARGS("-i", "g.txt", "--parts=3", "--undirected")), AMLS_OK);
    cr_assert_str_eq(cli_str(&c, "input"), "g.txt");
    cr_assert_eq(cli_i64(&c, "parts"), 3);
    cr_assert(cli_flag(&c, "undirected"));
    cr_assert(!cli_flag(&c, "directed"));
    cr_assert_null(cli_str(&c, "format"));
    cr_assert(!c.bug);
    free(c.slot);
    cr_assert_eq(parse(&c, "cg", 2, ARGS("--matrix", "a.mtx")), AMLS_OK);
    cr_assert_float_eq(cli_f64(&c, "tol"), 1e-8, 1e-20); /* the table's default */
    cr_assert_str_eq(cli_str(&c, "precond"), "jacobi");
    free(c.slot);
}

Test(cli_parse, refusals)
{
    cli c;
    cr_assert_eq(parse(&c, "info", 2, ARGS("--input", "g", "--bogus", "1")), AMLS_ERR_PARAM);
    cr_assert(strstr(amls_last_error(), "unknown option '--bogus'"), "%s", amls_last_error());
    free(c.slot);
    cr_assert_eq(parse(&c, "info", 2, ARGS("--input")), AMLS_ERR_PARAM);
    cr_assert(strstr(amls_last_error(), "needs a value"), "%s", amls_last_error());
    free(c.slot);
    cr_assert_eq(parse(&c, "info", 2, ARGS("--input", "a", "--input", "b")), AMLS_ERR_PARAM);
    cr_assert(strstr(amls_last_error(), "more than once"), "%s", amls_last_error());
    free(c.slot);
    cr_assert_eq(parse(&c, "info", 2, ARGS("--quiet=1", "--input", "a")), AMLS_ERR_PARAM);
    cr_assert(strstr(amls_last_error(), "takes no value"), "%s", amls_last_error());
    free(c.slot);
    cr_assert_eq(parse(&c, "info", 2, ARGS("--input", "a", "stray")), AMLS_ERR_PARAM);
    cr_assert(strstr(amls_last_error(), "unexpected argument 'stray'"), "%s", amls_last_error());
    free(c.slot);
    cr_assert_eq(parse(&c, "run", 2, ARGS("p.so", "--input", "a", "--verify")), AMLS_ERR_PARAM);
    cr_assert(strstr(amls_last_error(), "no serial reference"), "%s", amls_last_error());
    free(c.slot);
}

Test(cli_parse, help_wins_and_negative_values_are_values)
{
    cli c;
    cr_assert_eq(parse(&c, "info", 2, ARGS("--bogus", "--help")), AMLS_ERR_PARAM);
    cr_assert(c.help, "--help is seen before any refusal");
    free(c.slot);
    /* A value that looks like an option is still the option's value (then range-checked). */
    cr_assert_eq(parse(&c, "als", 2, ARGS("--ratings", "r", "--iterations", "-1")), AMLS_OK);
    cr_assert_str_eq(cli_str(&c, "iterations"), "-1");
    free(c.slot);
}

Test(cli_parse, repeated_options_and_program_parameters)
{
    cli c;
    cr_assert_eq(parse(&c, "pagerank", 2,
                       ARGS("--input", "g", "--param", "damping=0.5", "--param=iterations=3",
                            "--pagerank.damping", "0.6", "--iterations=4")),
                 AMLS_OK);
    int at = -1;
    cr_assert_str_eq(cli_next(&c, "param", &at), "damping=0.5");
    cr_assert_str_eq(cli_next(&c, "param", &at), "iterations=3");
    cr_assert_null(cli_next(&c, "param", &at));
    int params = 0;
    for (int i = 0; i < c.argc; i++)
        params += c.slot[i] == CLI_SLOT_PARAM;
    cr_assert_eq(params, 2, "--pagerank.damping and --iterations wait for the program");
    free(c.slot);
}

Test(cli_parse, asking_for_an_undeclared_option_is_a_bug)
{
    cli c;
    cr_assert_eq(parse(&c, "info", 2, ARGS("--input", "g")), AMLS_OK);
    cr_assert_null(cli_str(&c, "no-such-option"));
    cr_assert(c.bug);
    free(c.slot);
}

/* Checks one value of option `name` of command `cmd` at 4 ranks. */
static int value(const char *cmd, const char *name, const char *v)
{
    cli c;
    cr_assert_eq(parse(&c, cmd, 4, ARGS("--help")), AMLS_OK);
    for (int k = 0; k < c.nopt; k++)
        if (strcmp(c.opt[k]->name, name) == 0) {
            int rc = cli_check_value(&c, c.opt[k], v);
            free(c.slot);
            return rc;
        }
    free(c.slot);
    cr_assert_fail("%s has no --%s", cmd, name);
    return 0;
}

Test(cli_values, types_ranges_and_choices)
{
    cr_assert_eq(value("info", "parts", "4"), AMLS_OK);
    cr_assert_eq(value("info", "parts", "0"), AMLS_ERR_PARAM);
    cr_assert_eq(value("info", "parts", "2x"), AMLS_ERR_PARAM);
    cr_assert_eq(value("info", "parts", "1e3"), AMLS_ERR_PARAM);
    cr_assert_eq(value("info", "parts", "99999999999999999999"), AMLS_ERR_PARAM);
    cr_assert_eq(value("pagerank", "fail-rank", "3"), AMLS_OK);
    cr_assert_eq(value("pagerank", "fail-rank", "4"), AMLS_ERR_PARAM);
    cr_assert_eq(value("pagerank", "fail-rank", "-1"), AMLS_ERR_PARAM);
    cr_assert_eq(value("cg", "tol", "1e-12"), AMLS_OK);
    cr_assert_eq(value("cg", "tol", "0"), AMLS_ERR_PARAM); /* the minimum is excluded */
    cr_assert_eq(value("cg", "tol", "nan"), AMLS_ERR_PARAM);
    cr_assert_eq(value("als", "test-fraction", "1"), AMLS_ERR_PARAM);
    cr_assert_eq(value("linreg", "lambda", "inf"), AMLS_ERR_PARAM);
    cr_assert_eq(value("info", "format", "mtx"), AMLS_OK);
    cr_assert_eq(value("info", "format", "mt"), AMLS_ERR_PARAM);
    cr_assert_eq(value("info", "input", "gen:kron:scale=3"), AMLS_OK);
    cr_assert_eq(value("info", "input", "gen:kron:scael=3"), AMLS_ERR_PARAM);
    cr_assert_eq(value("info", "input", ""), AMLS_ERR_PARAM);
}

Test(cli_exit, every_status_has_its_code)
{
    struct {
        int status, code;
    } want[] = {
        {AMLS_OK, 0},
        {AMLS_INFO_NOT_CONVERGED, 0},
        {AMLS_INFO_STOPPED, CLI_EXIT_STOPPED},
        {AMLS_ERR_PARAM, CLI_EXIT_USAGE},
        {AMLS_ERR_INVALID, CLI_EXIT_USAGE},
        {AMLS_ERR_UNSUPPORTED, CLI_EXIT_USAGE},
        {AMLS_ERR_PARSE, CLI_EXIT_INPUT},
        {AMLS_ERR_FORMAT, CLI_EXIT_INPUT},
        {AMLS_ERR_RANGE, CLI_EXIT_INPUT},
        {AMLS_ERR_HEADER, CLI_EXIT_INPUT},
        {AMLS_ERR_PARTITION, CLI_EXIT_INPUT},
        {AMLS_ERR_NOT_FOUND, CLI_EXIT_INPUT},
        {AMLS_ERR_VPROG, CLI_EXIT_INPUT},
        {AMLS_ERR_DIM, CLI_EXIT_INPUT},
        {AMLS_ERR_NOT_SPD, CLI_EXIT_INPUT},
        {AMLS_ERR_NUMERIC, CLI_EXIT_INPUT},
        {AMLS_ERR_PLUGIN, CLI_EXIT_INPUT},
        {AMLS_ERR_ABI, CLI_EXIT_INPUT},
        {AMLS_ERR_IO, CLI_EXIT_IO},
        {AMLS_ERR_VERIFY, CLI_EXIT_VERIFY},
        {AMLS_ERR_DIVERGED, CLI_EXIT_DIVERGED},
        {AMLS_ERR_NOMEM, CLI_EXIT_INTERNAL},
        {AMLS_ERR_MPI, CLI_EXIT_INTERNAL},
        {AMLS_ERR_METIS, CLI_EXIT_INTERNAL},
        {AMLS_ERR_INTERNAL, CLI_EXIT_INTERNAL},
        {-12345, CLI_EXIT_INTERNAL},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert_eq(cli_exit_code(want[i].status), want[i].code, "status %d: exit %d, want %d",
                     want[i].status, cli_exit_code(want[i].status), want[i].code);
}
