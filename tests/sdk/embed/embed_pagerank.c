/* ---------------------------------------------------------------------------------------------
 * tests/sdk/embed/embed_pagerank.c — a program outside the project that embeds the installed
 * library: loads a graph, runs PageRank, gathers the values on rank 0 and writes them as
 * "id value" lines.
 *   mpirun -np 2 embed_pagerank GRAPH ITERATIONS OUT
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include <amls/embed.h>
#include <amls/version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints the failing rank's message on rank 0 and says whether rc was an error. */
static int failed(int rc, int rank, const char *what)
{
    char msg[AMLS_MSG_LEN];
    rc = amls_error_share(MPI_COMM_WORLD, rc, msg, sizeof msg, NULL);
    if (rc < 0 && rank == 0)
        fprintf(stderr, "embed_pagerank: %s: %s\n", what, msg);
    return rc < 0;
}

/* Rank 0: the values as "id value" lines. */
static int write_values(const char *path, const int64_t *ids, const double *v, int64_t n)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return 1;
    for (int64_t i = 0; i < n; i++)
        fprintf(f, "%lld %.15g\n", (long long)ids[i], v[i]);
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    int rank = 0, bad = 0;
    amls_graph *g = NULL;
    amls_result *r = NULL;
    int64_t *ids = NULL;
    double *vals = NULL;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (argc != 4 || strcmp(amls_version(), AMLS_VERSION_STRING) != 0) {
        if (rank == 0)
            fprintf(stderr, "usage: embed_pagerank GRAPH ITERATIONS OUT (library %s, headers %s)\n",
                    amls_version(), AMLS_VERSION_STRING);
        MPI_Finalize();
        return 2;
    }
    const char *keys[] = {"iterations"}, *values[] = {argv[2]};
    bad = failed(amls_graph_load(MPI_COMM_WORLD, argv[1], NULL, AMLS_DIRECTION_FROM_FILE, NULL, 0,
                                 0, &g, NULL, NULL),
                 rank, "load");
    if (!bad)
        bad = failed(amls_algorithm_run(g, "pagerank", NULL, NULL, 1, keys, values, 0, 0, NULL, &r),
                     rank, "pagerank");
    if (!bad && rank == 0) {
        ids = malloc((size_t)amls_graph_num_vertices(g) * sizeof *ids);
        vals = malloc((size_t)amls_graph_num_vertices(g) * sizeof *vals);
    }
    if (!bad)
        bad = failed(amls_result_gather(r, 0, ids, vals), rank, "gather");
    if (!bad && rank == 0) {
        bad = write_values(argv[3], ids, vals, amls_graph_num_vertices(g));
        printf("embed_pagerank: %lld vertices, %lld iterations, library %s\n",
               (long long)amls_graph_num_vertices(g), (long long)amls_result_iterations(r),
               amls_version());
    }
    free(ids);
    free(vals);
    amls_result_free(&r);
    amls_graph_free(&g);
    MPI_Finalize();
    return bad;
}
