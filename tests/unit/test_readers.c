/* ---------------------------------------------------------------------------------------------
 * tests/unit/test_readers.c — the graph readers on small files written by the tests, including
 * the odd cases: comments, tabs, CRLF, missing final newline, gzip, weights, malformed lines,
 * ids that do not fit, headers that lie. Each test runs in its own Criterion process as a
 * one-rank MPI singleton on MPI_COMM_SELF.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"

#include "amls/graph.h"
#include "amls/io.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char dir[256];

static void setup(void)
{
    MPI_Init(NULL, NULL);
    snprintf(dir, sizeof dir, "/tmp/amls-unit-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    MPI_Finalize();
}

TestSuite(readers, .init = setup, .fini = teardown);

static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fwrite(text, 1, strlen(text), f);
    fclose(f);
    return path;
}

static const char *write_gz(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    gzFile f = gzopen(path, "wb");
    cr_assert_not_null(f);
    gzwrite(f, text, (unsigned)strlen(text));
    gzclose(f);
    return path;
}

static int read_as(const char *path, amls_format f, amls_direction d, amls_raw_graph *g)
{
    amls_read_opts o = {.format = f, .direction = d};
    return amls_graph_read(MPI_COMM_SELF, path, &o, g);
}

Test(readers, edgelist_snap_style)
{
    const char *p = write_file("a.txt", "# Directed graph\n# FromNodeId\tToNodeId\r\n"
                                        "% another comment\r\n"
                                        "1\t2\r\n  3 4\r\n\r\n10\t1\r\n5 5"); /* no final newline */
    amls_raw_graph g;
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_OK, "%s", amls_last_error());
    cr_assert_eq(g.nedges, 4);
    cr_assert_eq(g.edges_read, 4);
    cr_assert(g.directed);
    cr_assert(!g.weighted);
    cr_assert_null(g.w);
    cr_assert_eq(g.src[0], 1);
    cr_assert_eq(g.dst[0], 2);
    cr_assert_eq(g.src[2], 10);
    cr_assert_eq(g.src[3], 5);
    cr_assert_eq(g.dst[3], 5);
    cr_assert_eq(g.vset, AMLS_VSET_IMPLICIT);
    amls_raw_graph_free(&g);
}

Test(readers, edgelist_weights_and_gzip)
{
    const char *p = write_gz("b.txt.gz", "1 2 0.5\n2 3 1e-3\n3 1 7\n");
    amls_raw_graph g;
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, AMLS_DIRECTION_UNDIRECTED, &g), AMLS_OK, "%s",
                 amls_last_error());
    cr_assert_eq(g.nedges, 3);
    cr_assert(g.weighted);
    cr_assert(!g.directed);
    cr_assert_float_eq(g.w[0], 0.5, 1e-15);
    cr_assert_float_eq(g.w[1], 1e-3, 1e-18);
    cr_assert_float_eq(g.w[2], 7.0, 1e-15);
    amls_raw_graph_free(&g);
}

Test(readers, edgelist_malformed_line_names_file_and_line)
{
    const char *p = write_file("c.txt", "# c\n1 2\n3 x\n4 5\n");
    amls_raw_graph g;
    int rc = read_as(p, AMLS_FORMAT_EDGELIST, 0, &g);
    cr_assert_eq(rc, AMLS_ERR_PARSE);
    cr_assert(strstr(amls_last_error(), "c.txt:3:") != NULL, "message: %s", amls_last_error());
    cr_assert_eq(g.nedges, 0);
    cr_assert_null(g.src);
}

Test(readers, edgelist_id_too_large)
{
    const char *p = write_file("d.txt", "1 2\n18446744073709551615 3\n");
    amls_raw_graph g;
    int rc = read_as(p, AMLS_FORMAT_EDGELIST, 0, &g);
    cr_assert_eq(rc, AMLS_ERR_RANGE);
    cr_assert(strstr(amls_last_error(), "d.txt:2:") != NULL, "message: %s", amls_last_error());
    cr_assert(strstr(amls_last_error(), "64-bit") != NULL, "message: %s", amls_last_error());
}

Test(readers, edgelist_extra_field_and_missing_target)
{
    amls_raw_graph g;
    const char *p = write_file("e.txt", "1 2 3 4\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_EDGELIST, 0, &g), AMLS_ERR_PARSE);
    cr_assert(strstr(amls_last_error(), "e.txt:1:") != NULL);
    p = write_file("f.txt", "1 2\n7\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_EDGELIST, 0, &g), AMLS_ERR_PARSE);
    cr_assert(strstr(amls_last_error(), "f.txt:2:") != NULL);
    p = write_file("g.txt", "1 -2\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_EDGELIST, 0, &g), AMLS_ERR_RANGE);
}

Test(readers, missing_file)
{
    amls_raw_graph g;
    char path[600];
    snprintf(path, sizeof path, "%s/nope.txt", dir);
    cr_assert_eq(read_as(path, AMLS_FORMAT_EDGELIST, 0, &g), AMLS_ERR_IO);
    cr_assert(strstr(amls_last_error(), "nope.txt") != NULL);
}

Test(readers, ldbc_with_properties)
{
    write_file("gr.v", "2\n3\n5\n10\n");
    write_file("gr.properties", "graph.gr.directed = false\n"
                                "graph.gr.edge-properties.names = weight\n"
                                "graph.gr.bfs.source-vertex = 2\n");
    const char *p = write_file("gr.e", "2 3 0.5\n3 10 0.25\n");
    amls_raw_graph g;
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_OK, "%s", amls_last_error());
    cr_assert_eq(g.format, AMLS_FORMAT_LDBC);
    cr_assert(!g.directed);
    cr_assert(g.weighted);
    cr_assert_eq(g.vset, AMLS_VSET_LIST);
    cr_assert_eq(g.nvlist, 4);
    cr_assert_eq(g.vlist[3], 10);
    cr_assert_eq(g.nedges, 2);
    cr_assert_str_eq(amls_props_get(g.props, "bfs.source-vertex"), "2");
    cr_assert_null(amls_props_get(g.props, "pr.damping-factor"));
    amls_raw_graph_free(&g);
}

Test(readers, mtx_symmetric_real)
{
    const char *p = write_file("m.mtx", "%%MatrixMarket matrix coordinate real symmetric\n"
                                        "% comment\n"
                                        "3 3 4\n1 1 4.0\n2 1 -1\n3 2 -1\n3 3 4\n");
    amls_raw_graph g;
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_OK, "%s", amls_last_error());
    cr_assert(!g.directed);
    cr_assert(g.weighted);
    cr_assert_eq(g.vset, AMLS_VSET_RANGE);
    cr_assert_eq(g.nverts, 3);
    cr_assert_eq(g.vbase, 1);
    cr_assert_eq(g.nedges, 4);
    cr_assert_float_eq(g.w[1], -1.0, 0);
    amls_raw_graph_free(&g);
}

Test(readers, mtx_pattern_general_directed)
{
    const char *p = write_file("p.mtx", "%%MatrixMarket matrix coordinate pattern general\n"
                                        "4 4 2\n1 2\n4 3\n");
    amls_raw_graph g;
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_OK, "%s", amls_last_error());
    cr_assert(g.directed);
    cr_assert(!g.weighted);
    cr_assert_eq(g.nverts, 4);
    amls_raw_graph_free(&g);
}

Test(readers, mtx_header_lies)
{
    amls_raw_graph g;
    const char *p = write_file("l.mtx", "%%MatrixMarket matrix coordinate real general\n"
                                        "3 3 5\n1 1 1\n2 2 1\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_ERR_HEADER);
    cr_assert(strstr(amls_last_error(), "l.mtx:2:") != NULL, "%s", amls_last_error());
    cr_assert(strstr(amls_last_error(), "5 entries") != NULL, "%s", amls_last_error());
    p = write_file("o.mtx", "%%MatrixMarket matrix coordinate real general\n"
                            "3 3 1\n4 1 1\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_ERR_RANGE);
    cr_assert(strstr(amls_last_error(), "o.mtx:3:") != NULL, "%s", amls_last_error());
    p = write_file("b.mtx", "%%MatrixMarket matrix array real general\n3 3\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_ERR_FORMAT);
    p = write_file("r.mtx", "%%MatrixMarket matrix coordinate real general\n2 3 1\n1 1 1\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_ERR_FORMAT);
}

Test(readers, metis_weighted_with_isolated_vertex)
{
    /* 4 vertices, 2 edges, edge weights; vertex 3 has an empty line (isolated). */
    const char *p = write_file("w.graph", "% comment\n4 2 001\n2 5\n1 5 4 9\n\n2 9\n");
    amls_raw_graph g;
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_OK, "%s", amls_last_error());
    cr_assert(!g.directed);
    cr_assert(g.weighted);
    cr_assert_eq(g.nverts, 4);
    cr_assert_eq(g.nedges, 4); /* adjacency entries: each edge twice */
    cr_assert_eq(g.edges_read, 2);
    cr_assert_eq(g.src[0], 1);
    cr_assert_eq(g.dst[0], 2);
    cr_assert_float_eq(g.w[0], 5.0, 0);
    cr_assert_eq(g.src[3], 4);
    cr_assert_eq(g.dst[3], 2);
    amls_raw_graph_free(&g);
}

Test(readers, metis_header_lies)
{
    amls_raw_graph g;
    const char *p = write_file("x.graph", "3 5\n2\n1 3\n2\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_ERR_HEADER);
    cr_assert(strstr(amls_last_error(), "x.graph:1:") != NULL, "%s", amls_last_error());
    p = write_file("y.graph", "2 1\n2\n1\n1\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_ERR_HEADER);
    p = write_file("z.graph", "2 1\n3\n1\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_ERR_RANGE);
    cr_assert(strstr(amls_last_error(), "z.graph:2:") != NULL, "%s", amls_last_error());
}

Test(readers, dimacs_sp_and_tw)
{
    amls_raw_graph g;
    const char *p = write_file("r.gr", "c road\np sp 3 2\nc x\na 1 2 7\na 2 3 9\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_OK, "%s", amls_last_error());
    cr_assert(g.directed);
    cr_assert(g.weighted);
    cr_assert_float_eq(g.w[1], 9.0, 0);
    amls_raw_graph_free(&g);
    p = write_gz("t.gr.gz", "p tw 3 2\n1 2\n2 3\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_OK, "%s", amls_last_error());
    cr_assert(!g.directed);
    cr_assert(!g.weighted);
    cr_assert_eq(g.nedges, 2);
    amls_raw_graph_free(&g);
    p = write_file("bad.gr", "p sp 3 3\na 1 2 7\na 2 3 9\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_ERR_HEADER);
    cr_assert(strstr(amls_last_error(), "bad.gr:1:") != NULL, "%s", amls_last_error());
    p = write_file("bad2.gr", "p sp 3 1\nx 1 2 7\n");
    cr_assert_eq(read_as(p, AMLS_FORMAT_AUTO, 0, &g), AMLS_ERR_PARSE);
    cr_assert(strstr(amls_last_error(), "bad2.gr:2:") != NULL, "%s", amls_last_error());
}

Test(readers, long_lines_cross_buffer_boundaries)
{
    /* 200k lines: far more than one 4 MiB buffer once gzip-inflated? No: check many short lines
     * and one line longer than the buffer (a comment). */
    size_t n = 6u << 20;
    char *text = malloc(n + 64);
    cr_assert_not_null(text);
    text[0] = '#';
    memset(text + 1, 'x', n - 1);
    strcpy(text + n, "\n1 2\n3 4\n");
    const char *p = write_file("long.txt", text);
    free(text);
    amls_raw_graph g;
    cr_assert_eq(read_as(p, AMLS_FORMAT_EDGELIST, 0, &g), AMLS_OK, "%s", amls_last_error());
    cr_assert_eq(g.nedges, 2);
    cr_assert_eq(g.src[1], 3);
    amls_raw_graph_free(&g);
}

Test(readers, generator_spec)
{
    amls_gen_spec s;
    cr_assert_eq(amls_gen_spec_parse("gen:kron:scale=12,edge-factor=8,seed=3", &s), AMLS_OK);
    cr_assert_str_eq(s.kind, "kron");
    cr_assert_eq(s.scale, 12);
    cr_assert_eq(s.edge_factor, 8);
    cr_assert_eq(s.seed, 3);
    cr_assert_eq(amls_gen_spec_parse("gen:grid:rows=3,cols=4", &s), AMLS_OK);
    cr_assert_eq(s.rows, 3);
    cr_assert_lt(amls_gen_spec_parse("gen:ring:scale=3", &s), 0);
    cr_assert_lt(amls_gen_spec_parse("gen:kron:bogus=3", &s), 0);
    amls_raw_graph g;
    cr_assert_eq(amls_gen_spec_parse("grid:rows=3,cols=4", &s), AMLS_OK);
    cr_assert_eq(amls_generate(MPI_COMM_SELF, &s, &g), AMLS_OK);
    cr_assert_eq(g.nverts, 12);
    cr_assert_eq(g.nedges, 3 * 3 + 2 * 4);
    amls_raw_graph_free(&g);
}

Test(readers, format_detection)
{
    cr_assert_eq(amls_format_from_name("x/a.mtx.gz"), AMLS_FORMAT_MTX);
    cr_assert_eq(amls_format_from_name("a.graph"), AMLS_FORMAT_METIS);
    cr_assert_eq(amls_format_from_name("road.gr.gz"), AMLS_FORMAT_DIMACS);
    cr_assert_eq(amls_format_from_name("g.e"), AMLS_FORMAT_LDBC);
    cr_assert_eq(amls_format_from_name("g.txt.gz"), AMLS_FORMAT_EDGELIST);
    cr_assert_eq(amls_format_from_name("gen:kron"), AMLS_FORMAT_GEN);
    cr_assert_eq(amls_format_parse("dimacs"), AMLS_FORMAT_DIMACS);
    cr_assert_eq(amls_format_parse("xml"), -1);
}

/* Every allocation that reading and building a graph makes may fail: each failure must come
 * back as AMLS_ERR_NOMEM with nothing leaked (checked under AddressSanitizer), and the call
 * must succeed once allocations succeed (LAGraph's "brutal" testing). The graph is read once
 * as listed and once with edges repeated, both ways (the build merges the repeats first). */
static void brutal(const char *body)
{
    const char *p = write_file("brutal.txt", body);
    int k = 0, rc = AMLS_ERR_NOMEM;
    for (; k < 2000 && rc == AMLS_ERR_NOMEM; k++) {
        amls_raw_graph g;
        amls_graph *dg = NULL;
        amls__malloc_fail_after(k);
        rc = read_as(p, AMLS_FORMAT_EDGELIST, AMLS_DIRECTION_UNDIRECTED, &g);
        if (rc == AMLS_OK) {
            amls_build_opts bo = {.method = AMLS_PART_HASH, .need_in_edges = true};
            rc = amls_graph_build(MPI_COMM_SELF, &g, &bo, &dg);
            if (rc == AMLS_OK) {
                cr_assert_eq(dg->n, 5);
                cr_assert_eq(dg->edges, 5);
            } else {
                cr_assert_null(dg);
            }
        }
        amls__malloc_fail_after(-1);
        amls_graph_free(&dg);
        cr_assert(rc == AMLS_OK || rc == AMLS_ERR_NOMEM, "allocation %d: status %d (%s)", k, rc,
                  amls_last_error());
    }
    cr_assert_eq(rc, AMLS_OK, "never succeeded");
    cr_assert_gt(k, 10, "the path makes allocations");
}

Test(readers, allocation_failures_are_clean)
{
    brutal("# g\n1 2 0.5\n2 3 1\n3 1 2\n4 4 1\n7 1 3\n");
    brutal("# g\n1 2 0.5\n2 1 0.7\n2 3 1\n3 2 1\n3 1 2\n4 4 1\n4 4 2\n7 1 3\n1 7 3\n");
}
