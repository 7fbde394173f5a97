/* ---------------------------------------------------------------------------------------------
 * apps/cmd_graph.c — graph subcommands: info, partition, generate, convert.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include <stdio.h>

/* Rank 0: one line per direction, "NAME_distribution: degree:vertices ...". */
static void print_degrees(const char *name, const int64_t *deg, const int64_t *count, int64_t m)
{
    printf("%s_distribution:", name);
    for (int64_t k = 0; k < m; k++)
        printf(" %lld:%lld", (long long)deg[k], (long long)count[k]);
    printf("\n");
    fflush(stdout);
}

/* info --degrees: the degree distributions, printed and (with --stats) recorded. Collective. */
static int info_degrees(cli *c, const amls_graph *g)
{
    int rc = AMLS_OK;
    int64_t *deg = NULL, *count = NULL, m = 0;
    for (int in = 0; in < 1 + g->directed; in++) {
        AMLS_TRY(amls_graph_degree_hist(g, in, 0, &deg, &count, &m));
        if (c->rank == 0)
            print_degrees(in ? "in_degree" : g->directed ? "out_degree" : "degree", deg, count, m);
        amls_buffer_free(deg);
        amls_buffer_free(count);
        deg = count = NULL;
    }
    if (c->stats)
        AMLS_TRY(amls_graph_degrees(g, c->stats));
cleanup:
    amls_buffer_free(deg);
    amls_buffer_free(count);
    return rc;
}

static int cmd_info(cli *c)
{
    int rc = AMLS_OK;
    amls_graph *g = NULL;
    amls_graph_stats st;
    bool degrees = cli_flag(c, "degrees");
    double t0 = amls__now();
    CLI_LOAD(cli_load_graph(c, NULL, degrees, false, &g));
    double load = amls__now() - t0;
    AMLS_TRY(amls_graph_stats_get(g, &st));
    /* After loading: the load's peak is the figure; the largest rank's and the sum. */
    int64_t peak[2] = {amls__peak_rss(), 0};
    peak[1] = peak[0];
    AMLS_TRY(amls__allreduce_i64(c->comm, &peak[0], 1, MPI_MAX));
    AMLS_TRY(amls__allreduce_i64(c->comm, &peak[1], 1, MPI_SUM));
    cli_print(c,
              "vertices: %lld\nedges: %lld\narcs: %lld\nself_loops: %lld\nedges_read: %lld\n"
              "directed: %s\nweighted: %s\nmax_out_degree: %lld\nmax_in_degree: %lld\n"
              "isolated: %lld\nparts: %d\npartitioner: %s\nedge_cut: %lld\nimbalance: %.4f\n"
              "edge_imbalance: %.4f\nvertex_imbalance: %.4f\nranks: %d\nload_seconds: %.3f\n"
              "build_seconds: %.3f\npartition_seconds: %.3f\npeak_rss_bytes_max: "
              "%lld\npeak_rss_bytes_sum: %lld\n"
              "peak_bytes_per_edge: %.1f\n",
              (long long)st.vertices, (long long)st.edges, (long long)st.arcs,
              (long long)st.self_loops, (long long)st.edges_read, g->directed ? "yes" : "no",
              g->weighted ? "yes" : "no", (long long)st.max_out_degree, (long long)st.max_in_degree,
              (long long)st.isolated, st.nparts, amls_part_method_name(g->part_method),
              (long long)st.edge_cut, st.imbalance, st.edge_imbalance, st.vertex_imbalance,
              c->nranks, load, g->build_seconds, g->partition_seconds, (long long)peak[0],
              (long long)peak[1], st.edges > 0 ? (double)peak[1] / (double)st.edges : 0.0);
    if (degrees)
        AMLS_TRY(info_degrees(c, g));
cleanup:
    amls_graph_free(&g);
    return rc;
}

static int cmd_partition(cli *c)
{
    int rc = AMLS_OK;
    amls_graph *g = NULL;
    amls_graph_stats st;
    const char *outp = cli_str(c, "output");
    CLI_LOAD(cli_load_graph(c, NULL, false, true, &g));
    AMLS_TRY(amls_graph_write_partition(g, outp));
    AMLS_TRY(amls_graph_stats_get(g, &st));
    cli_print(c, "parts: %d\nedge_cut: %lld\nimbalance: %.4f\noutput: %s\n", st.nparts,
              (long long)st.edge_cut, st.imbalance, outp);
cleanup:
    amls_graph_free(&g);
    return rc;
}

/* The generator options on top of the defaults (checked by the table). Local. */
static void gen_options(cli *c, amls_gen_spec *s)
{
    amls_gen_spec_default(s);
    snprintf(s->kind, sizeof s->kind, "%s", c->pos);
    s->scale = (int)cli_i64(c, "scale");
    s->edge_factor = (int)cli_i64(c, "edge-factor");
    s->seed = (uint64_t)cli_i64(c, "seed");
    s->rows = cli_i64(c, "rows");
    s->cols = cli_i64(c, "cols");
    s->weighted = cli_i64(c, "weighted") != 0;
}

/* --rows and --cols are for grids, --edge-factor for the others. Local. */
static int check_generate(cli *c)
{
    int rc = AMLS_OK;
    bool grid = c->pos && !strcmp(c->pos, "grid");
    AMLS_CHECK(grid || (!cli_given(c, "rows") && !cli_given(c, "cols")), AMLS_ERR_PARAM,
               "generate: --rows and --cols are for grid, not %s", c->pos);
    AMLS_CHECK(!grid || !cli_given(c, "edge-factor"), AMLS_ERR_PARAM,
               "generate: --edge-factor is for kron and uniform, not grid");
cleanup:
    return rc;
}

/* The "generate" section. Local. */
static int gen_stats(amls_stats *st, const amls_gen_spec *s, int64_t vertices, int64_t edges,
                     double seconds)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls_stats_set_str(st, "generate", "kind", s->kind));
    AMLS_TRY(amls_stats_set_i64(st, "generate", "vertices", vertices));
    AMLS_TRY(amls_stats_set_i64(st, "generate", "edges", edges));
    AMLS_TRY(amls_stats_set_i64(st, "generate", "seed", (int64_t)s->seed));
    AMLS_TRY(amls_stats_set_f64(st, "time", "generate_seconds", seconds));
cleanup:
    return rc;
}

static int cmd_generate(cli *c)
{
    int rc = AMLS_OK;
    amls_gen_spec s;
    amls_raw_graph raw = {0};
    gen_options(c, &s);
    const char *outp = cli_str(c, "output");
    double t0 = amls__now();
    AMLS_TRY(amls_generate(c->comm, &s, &raw));
    AMLS_TRY(amls_raw_graph_write(c->comm, outp, &raw));
    int64_t edges = raw.nedges;
    AMLS_TRY(amls__allreduce_i64(c->comm, &edges, 1, MPI_SUM));
    AMLS_AGREE(c->comm, gen_stats(c->stats, &s, raw.nverts, edges, amls__now() - t0));
    cli_print(c, "kind: %s\nvertices: %lld\nedges: %lld\noutput: %s\nseconds: %.3f\n", s.kind,
              (long long)raw.nverts, (long long)edges, outp, amls__now() - t0);
cleanup:
    amls_raw_graph_free(&raw);
    return rc;
}

/* The format convert writes: --to, or the output's name (.h5, .mtx, .csv; else an edge
 * list). Local. */
static int convert_target(const char *outp, const char *to, int *fmt)
{
    if (to == NULL) {
        *fmt = amls_is_h5_path(outp) ? -1 : (int)amls_format_from_name(outp);
        if (*fmt != AMLS_FORMAT_MTX && *fmt != AMLS_FORMAT_CSV && *fmt != -1)
            *fmt = AMLS_FORMAT_EDGELIST;
        return AMLS_OK;
    }
    *fmt = !strcmp(to, "h5") ? -1 : amls_format_parse(to);
    if (*fmt != -1 && *fmt != AMLS_FORMAT_EDGELIST && *fmt != AMLS_FORMAT_MTX &&
        *fmt != AMLS_FORMAT_CSV)
        return amls_error(AMLS_ERR_PARAM, "convert: --to %s: expected h5, edgelist, csv or mtx",
                          to);
    return AMLS_OK;
}

static int cmd_convert(cli *c)
{
    int rc = AMLS_OK, fmt = -1;
    amls_graph *g = NULL;
    const char *outp = cli_str(c, "output"), *input = cli_str(c, "input");
    amls_source_info src = {.name = input};
    AMLS_AGREE(c->comm, convert_target(outp, cli_str(c, "to"), &fmt)); /* checked: local */
    CLI_LOAD(cli_load_graph(c, NULL, fmt == -1, false, &g));
    double t0 = amls__now();
    if (fmt != -1) {
        AMLS_TRY(amls_graph_write_edges(g, outp, (amls_format)fmt, input));
    } else {
        if (strncmp(input, "gen:", 4) != 0 && !amls_is_h5_path(input))
            AMLS_TRY(amls_file_crc32(c->comm, input, &src.crc32, &src.size));
        AMLS_TRY(amls_graph_save_h5(g, outp, &src));
    }
    AMLS_AGREE(c->comm, amls_stats_set_f64(c->stats, "time", "write_seconds", amls__now() - t0));
    cli_print(c,
              "output: %s\nformat: %s\nvertices: %lld\nedges: %lld\nparts: %d\n"
              "source_crc32: %08x\nseconds: %.3f\n",
              outp, fmt == -1 ? "h5" : amls_format_name((amls_format)fmt), (long long)g->n,
              (long long)g->edges, g->nparts, (unsigned)src.crc32, amls__now() - t0);
cleanup:
    amls_graph_free(&g);
    return rc;
}

/* ---- The commands' tables ------------------------------------------------------------------ */

static const cli_group info_group = {
    "info options",
    (const cli_opt[]){{"degrees", 0, CLI_FLAG,
                       .help = "also print the degree distributions (NAME_distribution: "
                               "degree:vertices ...; --stats records them)"},
                      {0}}};
static const cli_group *const info_table[] = {&cli_graph_group, &info_group, &cli_quiet_group,
                                              NULL};
const cli_command cli_cmd_info = {
    .name = "info",
    .usage = "--input GRAPH [options]",
    .summary = "load a graph and print its statistics and partition quality",
    .about =
        "Loads a graph and prints key: value lines: vertices, edges, arcs, self loops, "
        "degrees,\nisolated vertices, parts, edge cut, imbalance, peak memory; with --degrees the\n"
        "degree distributions.",
    .groups = info_table,
    .run = cmd_info};

static const cli_group partition_group = {
    "partition options",
    (const cli_opt[]){{"output", 'o', CLI_OUT, "FILE",
                       .help = "the partition: one part number per vertex, in original-id order",
                       .flags = CLI_REQUIRED},
                      {0}}};
static const cli_group *const partition_table[] = {&cli_graph_group, &partition_group,
                                                   &cli_quiet_group, NULL};
static int check_partition(cli *c)
{
    return cli_output_not_input(cli_str(c, "output"), cli_str(c, "input"));
}

const cli_command cli_cmd_partition = {
    .name = "partition",
    .usage = "--input GRAPH --output FILE [--parts K] [options]",
    .summary = "compute a partition and write it: --parts K --output FILE",
    .groups = partition_table,
    .check = check_partition,
    .run = cmd_partition};

static int check_convert(cli *c)
{
    int rc = AMLS_OK, fmt = -1;
    AMLS_TRY(convert_target(cli_str(c, "output"), cli_str(c, "to"), &fmt));
    AMLS_TRY(cli_output_not_input(cli_str(c, "output"), cli_str(c, "input")));
cleanup:
    return rc;
}

static const cli_group convert_group = {
    "convert options",
    (const cli_opt[]){{"output", 'o', CLI_OUT, "FILE",
                       .help = "the graph: FILE.h5 the HDF5 container, .mtx Matrix Market, .csv "
                               "CSV, any other name an edge list",
                       .flags = CLI_REQUIRED},
                      {"to", 0, CLI_CHOICE, "F", .help = "the format to write",
                       .choices = "h5|edgelist|csv|mtx", .def_text = "from --output's name"},
                      {0}}};
static const cli_group *const convert_table[] = {&cli_graph_group, &convert_group, &cli_quiet_group,
                                                 NULL};
const cli_command cli_cmd_convert = {
    .name = "convert",
    .usage = "--input GRAPH --output FILE [--to h5|edgelist|csv|mtx] [options]",
    .summary =
        "write a graph as the HDF5 container (.h5), Matrix Market (.mtx), CSV or an edge list",
    .about = "Writes the graph, partitioned as --partition and --parts say, into an HDF5 "
             "container that\nlater runs load without parsing (each rank reads its own part), "
             "or as text: Matrix Market,\nCSV or an edge list.",
    .groups = convert_table,
    .check = check_convert,
    .run = cmd_convert};

static const cli_opt generate_kind = {"kind",
                                      0,
                                      CLI_CHOICE,
                                      "KIND",
                                      .help = "Kronecker (Graph500), uniform random or 2-D grid",
                                      .choices = "kron|uniform|grid",
                                      .flags = CLI_REQUIRED};
static const cli_group generate_group = {
    "generate options",
    (const cli_opt[]){
        {"output", 'o', CLI_OUT, "FILE", .help = "the edge list to write", .flags = CLI_REQUIRED},
        {"scale", 0, CLI_INT, "S", .help = "2^S vertices (grid: 2^(S/2) rows)", .min = 0, .max = 40,
         .def = "10"},
        {"edge-factor", 0, CLI_INT, "E", .help = "kron, uniform: E * 2^S edges", .min = 1,
         .max = 1 << 20, .def = "16"},
        {"seed", 0, CLI_INT, "N", .help = "the same seed gives the same graph at any rank count",
         .min = 0, .max = 9.2e18, .def = "1"},
        {"rows", 0, CLI_INT, "R", .help = "grid: rows", .min = 1, .max = 1LL << 40,
         .def_text = "2^(S/2), or --cols"},
        {"cols", 0, CLI_INT, "C", .help = "grid: columns", .min = 1, .max = 1LL << 40,
         .def_text = "2^(S-S/2), or --rows"},
        {"weighted", 0, CLI_INT, "0|1", .help = "integer weights 1..255", .min = 0, .max = 1,
         .def = "0"},
        {0}}};
static const cli_group *const generate_table[] = {&generate_group, NULL};
const cli_command cli_cmd_generate = {
    .name = "generate",
    .usage = "KIND --output FILE [options]",
    .summary = "generate a graph: generate kron|uniform|grid --output FILE",
    .groups = generate_table,
    .positional = &generate_kind,
    .check = check_generate,
    .run = cmd_generate};
