/* ---------------------------------------------------------------------------------------------
 * apps/cli_help.c — help, printed from the option tables: every option once, with its value,
 * its default (or "required") and its range or choices.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include <stdio.h>

enum { HELP_COL = 30, HELP_WIDTH = 100 };

/* A head ("  --name, -x ARG") padded to HELP_COL, then the text wrapped at HELP_WIDTH. */
static void line(FILE *f, const char *head, const char *text)
{
    int col = (int)strlen(head);
    fputs(head, f);
    if (col >= HELP_COL - 1) {
        fputc('\n', f);
        col = 0;
    }
    fprintf(f, "%*s", HELP_COL - col, "");
    col = HELP_COL;
    for (const char *w = text; *w;) {
        size_t len = strcspn(w, " ");
        if (col > HELP_COL && col + 1 + (int)len > HELP_WIDTH) {
            fprintf(f, "\n%*s", HELP_COL, "");
            col = HELP_COL;
        } else if (col > HELP_COL) {
            fputc(' ', f);
            col++;
        }
        fwrite(w, 1, len, f);
        col += (int)len;
        w += len;
        w += strspn(w, " ");
    }
    fputc('\n', f);
}

static void option_line(FILE *f, const char *name, char shortname, const char *arg,
                        const char *text)
{
    char head[128], sh[8] = "";
    if (shortname)
        snprintf(sh, sizeof sh, ", -%c", shortname);
    snprintf(head, sizeof head, "  --%s%s%s%s", name, sh, arg ? " " : "", arg ? arg : "");
    line(f, head, text);
}

/* The option's help text with its default, range or choices. */
static void describe(const cli_opt *o, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s", o->help ? o->help : "");
    if (o->kind == CLI_CHOICE)
        n += snprintf(buf + n, cap - (size_t)n, ": %s", o->choices);
    char range[64];
    cli_range_text(o, range, sizeof range);
    if (range[0])
        n += snprintf(buf + n, cap - (size_t)n, "; %s", range);
    if (o->flags & CLI_REPEAT)
        n += snprintf(buf + n, cap - (size_t)n, "; may be repeated");
    if (o->flags & CLI_REQUIRED)
        snprintf(buf + n, cap - (size_t)n, " (required)");
    else if (o->def)
        snprintf(buf + n, cap - (size_t)n, " (default: %s)", o->def);
    else if (o->def_text)
        snprintf(buf + n, cap - (size_t)n, " (default: %s)", o->def_text);
    else
        snprintf(buf + n, cap - (size_t)n, " (default: %s)", o->kind == CLI_FLAG ? "off" : "none");
}

static void print_opt(FILE *f, const cli_opt *o)
{
    char text[640];
    describe(o, text, sizeof text);
    option_line(f, o->name, o->shortname, o->kind == CLI_FLAG ? NULL : o->arg, text);
}

static void print_group(FILE *f, const cli_group *g)
{
    fprintf(f, "\n%s:\n", g->title);
    for (const cli_opt *o = g->opts; o->name; o++)
        print_opt(f, o);
}

/* The vertex program's parameters. */
/* Whether the command's option table has an option `name`. */
static bool in_table(const cli_command *cmd, const char *name)
{
    for (const cli_group *const *g = cmd->groups; g && *g; g++)
        for (const cli_opt *o = (*g)->opts; o->name; o++)
            if (!strcmp(o->name, name))
                return true;
    return false;
}

static void print_params(FILE *f, const cli *c)
{
    static const char *tn[] = {"", "N", "X", "TEXT", "BOOL", "ID"};
    const amls_vprog *p = c->prog;
    if (p == NULL) {
        fprintf(f, "\nparameters: the program's own; 'amls-graph %s PROG.so --help' lists them\n",
                c->cmd->name);
        return;
    }
    fprintf(f, "\nparameters of %s (also as --%s.NAME V or --param NAME=V%s):\n", p->name, p->name,
            c->builtin ? ";\n  an LDBC .properties file beside the input gives defaults" : "");
    if (p->nparams == 0)
        fprintf(f, "  (none)\n");
    for (int i = 0; i < p->nparams; i++) {
        const amls_param *d = &p->params[i];
        if (in_table(c->cmd, d->name))
            continue; /* set through the command's option of that name (sssp --delta) */
        const amls_param_range *r = NULL;
        for (int k = 0; p->struct_size >= offsetof(amls_vprog, nparam_ranges) + sizeof(int) &&
                        k < p->nparam_ranges && p->param_ranges;
             k++)
            if (!strcmp(p->param_ranges[k].name, d->name))
                r = &p->param_ranges[k];
        char text[640], range[96] = "";
        if (r)
            snprintf(range, sizeof range, "; %.15g..%.15g", r->min, r->max);
        snprintf(text, sizeof text, "%s%s (%s%s)", d->help ? d->help : "", range,
                 d->def ? "default: " : "required", d->def ? d->def : "");
        option_line(f, d->name, 0, d->type >= 1 && d->type <= 5 ? tn[d->type] : "V", text);
    }
}

void cli_help_command(FILE *f, const cli *c)
{
    const cli_command *cmd = c->cmd;
    fprintf(f, "usage: %samls-graph %s %s\n\n%s\n", cmd->flags & CLI_LOCAL ? "" : "mpirun -np N ",
            cmd->name, cmd->usage, cmd->about ? cmd->about : cmd->summary);
    if (cmd->flags & CLI_PROGRAM)
        print_params(f, c);
    if (cmd->positional) {
        fprintf(f, "\narguments:\n");
        char text[640], head[128];
        describe(cmd->positional, text, sizeof text);
        snprintf(head, sizeof head, "  %s", cmd->positional->arg);
        line(f, head, text);
    }
    for (const cli_group *const *g = cmd->groups; g && *g; g++)
        print_group(f, *g);
    if (!(cmd->flags & CLI_LOCAL))
        print_group(f, &cli_stats_group); /* every command's */
    option_line(f, "help", 'h', NULL, "print this help and exit");
}

void cli_help_commands(FILE *f, const cli_command *const *cmds)
{
    fprintf(f, "usage: mpirun -np N amls-graph COMMAND [options]\n\ncommands:\n");
    for (int i = 0; cmds[i]; i++)
        fprintf(f, "  %-10s %s\n", cmds[i]->name, cmds[i]->summary);
    fprintf(f,
            "  %-10s %s\n  %-10s %s\n\n"
            "'amls-graph help COMMAND' or 'amls-graph COMMAND --help' lists a command's options.\n"
            "Exit codes: 0 success, 1 internal error, 2 usage, 3 bad input, 4 I/O error,\n"
            "5 verification failed, 6 not converged (--strict), 7 stopped at a checkpoint.\n",
            "help", "help [COMMAND]: this list, or a command's options", "--version",
            "print the version");
}
