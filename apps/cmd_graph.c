/* ---------------------------------------------------------------------------------------------
 * apps/cmd_graph.c — graph subcommands: info, partition, generate.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "io/h5util.h"
#include "io/util.h"

#include <stdio.h>

int cmd_info(cli *c)
{
    amls_graph *g = NULL;
    amls_graph_stats st;
    int rc = cli_load_graph(c, NULL, false, false, &g, NULL);
    if (rc == AMLS_OK)
        rc = amls_agree(c->comm, cli_check_unused(c), NULL);
    if (rc == AMLS_OK)
        rc = amls_graph_stats_get(g, &st);
    if (rc == AMLS_OK) {
        int64_t peak = amls__peak_rss(), gpeak = 0;
        MPI_Reduce(&peak, &gpeak, 1, MPI_INT64_T, MPI_MAX, 0, c->comm);
        cli_print(c,
                  "vertices: %lld\nedges: %lld\narcs: %lld\nself_loops: %lld\nedges_read: %lld\n"
                  "directed: %s\nweighted: %s\nmax_out_degree: %lld\nmax_in_degree: %lld\n"
                  "isolated: %lld\nparts: %d\npartitioner: %s\nedge_cut: %lld\nimbalance: %.4f\n"
                  "edge_imbalance: %.4f\nranks: %d\nbuild_seconds: %.3f\n"
                  "peak_rss_bytes_max: %lld\n",
                  (long long)st.vertices, (long long)st.edges, (long long)st.arcs,
                  (long long)st.self_loops, (long long)st.edges_read, g->directed ? "yes" : "no",
                  g->weighted ? "yes" : "no", (long long)st.max_out_degree,
                  (long long)st.max_in_degree, (long long)st.isolated, st.nparts,
                  cli_get(c, "partition", NULL) ? cli_get(c, "partition", NULL) : "metis",
                  (long long)st.edge_cut, st.imbalance, st.edge_imbalance, c->nranks,
                  g->build_seconds, (long long)gpeak);
    }
    amls_graph_free(&g);
    return rc;
}

int cmd_partition(cli *c)
{
    amls_graph *g = NULL;
    const char *outp = cli_get(c, "output", "o");
    int rc = outp ? AMLS_OK : amls_error(AMLS_ERR_PARAM, "partition: --output FILE is required");
    rc = amls_agree(c->comm, rc, NULL);
    if (rc == AMLS_OK)
        rc = cli_load_graph(c, NULL, false, true, &g, NULL);
    if (rc == AMLS_OK)
        rc = amls_agree(c->comm, cli_check_unused(c), NULL);
    if (rc == AMLS_OK)
        rc = amls_graph_write_partition(g, outp);
    if (rc == AMLS_OK) {
        amls_graph_stats st;
        rc = amls_graph_stats_get(g, &st);
        if (rc == AMLS_OK)
            cli_print(c, "parts: %d\nedge_cut: %lld\nimbalance: %.4f\noutput: %s\n", st.nparts,
                      (long long)st.edge_cut, st.imbalance, outp);
    }
    amls_graph_free(&g);
    return rc;
}

int cmd_generate(cli *c)
{
    int rc = AMLS_OK;
    amls_gen_spec s;
    amls_raw_graph raw = {0};
    amls_gen_spec_default(&s);
    const char *kind = cli_positional(c);
    const char *outp = cli_get(c, "output", "o");
    int64_t scale, ef, seed, rows, cols, weighted;
    if (kind)
        snprintf(s.kind, sizeof s.kind, "%s", kind);
    rc = cli_get_i64(c, "scale", NULL, s.scale, &scale);
    if (rc == AMLS_OK)
        rc = cli_get_i64(c, "edge-factor", NULL, s.edge_factor, &ef);
    if (rc == AMLS_OK)
        rc = cli_get_i64(c, "seed", NULL, (int64_t)s.seed, &seed);
    if (rc == AMLS_OK)
        rc = cli_get_i64(c, "rows", NULL, 0, &rows);
    if (rc == AMLS_OK)
        rc = cli_get_i64(c, "cols", NULL, 0, &cols);
    if (rc == AMLS_OK)
        rc = cli_get_i64(c, "weighted", NULL, 0, &weighted);
    if (rc == AMLS_OK && outp == NULL)
        rc = amls_error(AMLS_ERR_PARAM, "generate: --output FILE is required");
    if (rc == AMLS_OK && strcmp(s.kind, "kron") && strcmp(s.kind, "uniform") &&
        strcmp(s.kind, "grid"))
        rc =
            amls_error(AMLS_ERR_PARAM, "generate: unknown kind '%s' (kron, uniform, grid)", s.kind);
    if (rc == AMLS_OK)
        rc = cli_check_unused(c);
    s.scale = (int)scale;
    s.edge_factor = (int)ef;
    s.seed = (uint64_t)seed;
    s.rows = rows;
    s.cols = cols;
    s.weighted = weighted != 0;
    rc = amls_agree(c->comm, rc, NULL);
    double t0 = amls__now();
    if (rc == AMLS_OK)
        rc = amls_generate(c->comm, &s, &raw);
    if (rc == AMLS_OK)
        rc = amls_raw_graph_write(c->comm, outp, &raw);
    if (rc == AMLS_OK) {
        int64_t mine = raw.nedges, tot = 0;
        MPI_Reduce(&mine, &tot, 1, MPI_INT64_T, MPI_SUM, 0, c->comm);
        cli_print(c, "kind: %s\nvertices: %lld\nedges: %lld\noutput: %s\nseconds: %.3f\n", s.kind,
                  (long long)raw.nverts, (long long)tot, outp, amls__now() - t0);
    }
    amls_raw_graph_free(&raw);
    return rc;
}

int cmd_convert(cli *c)
{
    amls_graph *g = NULL;
    const char *outp = cli_get(c, "output", "o"), *input = cli_get(c, "input", "i");
    int rc = outp && amls_is_h5_path(outp)
                 ? AMLS_OK
                 : amls_error(AMLS_ERR_PARAM, "convert: --output FILE.h5 is required");
    rc = amls_agree(c->comm, rc, NULL);
    if (rc == AMLS_OK)
        rc = cli_load_graph(c, NULL, true, false, &g, NULL);
    if (rc == AMLS_OK)
        rc = amls_agree(c->comm, cli_check_unused(c), NULL);
    amls_source_info src = {.name = input};
    if (rc == AMLS_OK && strncmp(input, "gen:", 4) != 0 && !amls_is_h5_path(input))
        rc = amls__file_crc32(c->comm, input, &src.crc32, &src.size);
    double t0 = amls__now();
    if (rc == AMLS_OK)
        rc = amls_graph_save_h5(g, outp, &src);
    if (rc == AMLS_OK)
        cli_print(c,
                  "output: %s\nvertices: %lld\nedges: %lld\nparts: %d\nsource_crc32: %08x\n"
                  "seconds: %.3f\n",
                  outp, (long long)g->n, (long long)g->edges, g->nparts, (unsigned)src.crc32,
                  amls__now() - t0);
    amls_graph_free(&g);
    return rc;
}
