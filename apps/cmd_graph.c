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

int cmd_info(cli *c)
{
    int rc = AMLS_OK;
    amls_graph *g = NULL;
    amls_graph_stats st;
    bool degrees = cli_flag(c, "degrees");
    double t0 = amls__now();
    CLI_LOAD(cli_load_graph(c, NULL, degrees, false, &g, NULL));
    double load = amls__now() - t0;
    AMLS_AGREE(c->comm, cli_check_unused(c));
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

int cmd_partition(cli *c)
{
    int rc = AMLS_OK;
    amls_graph *g = NULL;
    amls_graph_stats st;
    const char *outp = cli_get(c, "output", "o");
    AMLS_AGREE(c->comm, outp ? cli_output_not_input(outp, cli_get(c, "input", "i"))
                             : amls_error(AMLS_ERR_PARAM, "partition: --output FILE is required"));
    CLI_LOAD(cli_load_graph(c, NULL, false, true, &g, NULL));
    AMLS_AGREE(c->comm, cli_check_unused(c));
    AMLS_TRY(amls_graph_write_partition(g, outp));
    AMLS_TRY(amls_graph_stats_get(g, &st));
    cli_print(c, "parts: %d\nedge_cut: %lld\nimbalance: %.4f\noutput: %s\n", st.nparts,
              (long long)st.edge_cut, st.imbalance, outp);
cleanup:
    amls_graph_free(&g);
    return rc;
}

/* The generator options on top of the defaults. Local. */
static int gen_options(cli *c, amls_gen_spec *s)
{
    int rc = AMLS_OK;
    int64_t scale, ef, seed, rows, cols, weighted;
    const char *kind = cli_positional(c);
    amls_gen_spec_default(s);
    if (kind)
        snprintf(s->kind, sizeof s->kind, "%s", kind);
    AMLS_TRY(cli_get_i64(c, "scale", NULL, s->scale, &scale));
    AMLS_TRY(cli_get_i64(c, "edge-factor", NULL, s->edge_factor, &ef));
    AMLS_TRY(cli_get_i64(c, "seed", NULL, (int64_t)s->seed, &seed));
    AMLS_TRY(cli_get_i64(c, "rows", NULL, 0, &rows));
    AMLS_TRY(cli_get_i64(c, "cols", NULL, 0, &cols));
    AMLS_TRY(cli_get_i64(c, "weighted", NULL, 0, &weighted));
    AMLS_CHECK(cli_get(c, "output", "o") != NULL, AMLS_ERR_PARAM,
               "generate: --output FILE is required");
    AMLS_CHECK(!strcmp(s->kind, "kron") || !strcmp(s->kind, "uniform") || !strcmp(s->kind, "grid"),
               AMLS_ERR_PARAM, "generate: unknown kind '%s' (kron, uniform, grid)", s->kind);
    AMLS_TRY(cli_check_unused(c));
    s->scale = (int)scale;
    s->edge_factor = (int)ef;
    s->seed = (uint64_t)seed;
    s->rows = rows;
    s->cols = cols;
    s->weighted = weighted != 0;
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

int cmd_generate(cli *c)
{
    int rc = AMLS_OK;
    amls_gen_spec s;
    amls_raw_graph raw = {0};
    AMLS_AGREE(c->comm, gen_options(c, &s));
    const char *outp = cli_get(c, "output", "o");
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

int cmd_convert(cli *c)
{
    int rc = AMLS_OK, fmt = -1;
    amls_graph *g = NULL;
    const char *outp = cli_get(c, "output", "o"), *input = cli_get(c, "input", "i");
    const char *to = cli_get(c, "to", NULL);
    amls_source_info src = {.name = input};
    rc = outp ? convert_target(outp, to, &fmt)
              : amls_error(AMLS_ERR_PARAM, "convert: --output FILE is required (.h5, .mtx, "
                                           ".csv or an edge list)");
    AMLS_AGREE(c->comm, rc < 0 ? rc : cli_output_not_input(outp, input));
    CLI_LOAD(cli_load_graph(c, NULL, fmt == -1, false, &g, NULL));
    AMLS_AGREE(c->comm, cli_check_unused(c));
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
