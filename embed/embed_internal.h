/* ---------------------------------------------------------------------------------------------
 * embed/embed_internal.h — what the command line shares with the embedding API but the library
 * does not export (amls__ names stay local to libamls_graph, see amls_graph.map).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#ifndef AMLS_EMBED_INTERNAL_H
#define AMLS_EMBED_INTERNAL_H

#include "amls/embed.h"
#include "amls/io.h"

/* A flag of amls__graph_load beside the public AMLS_LOAD_*: the input is a matrix, so entries
 * given more than once are summed (amls_raw_graph_sum_duplicates) before the graph is built. */
enum { AMLS__LOAD_SUM_DUPLICATES = 1 << 8 };

/* amls_graph_load with reading options: the delimited-text options of `read` (csv_delimiter,
 * csv_header, csv_columns; NULL for the defaults) apply to a csv input; its format and
 * direction are ignored (format and direction give them). Collective. */
int amls__graph_load(MPI_Comm comm, const char *input, const char *format, int direction,
                     const char *partition, int nparts, unsigned flags, const amls_read_opts *read,
                     amls_graph **out, amls_load_info *info, amls_stats *stats);

#endif
