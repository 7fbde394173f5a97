/* ---------------------------------------------------------------------------------------------
 * apps/options.c — the option groups that several commands share. A command's table lists
 * these groups and its own options (beside its code); nothing else declares an option.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"

#define BIG 1e15 /* a bound no run reaches: keeps negative values out */

const cli_group cli_graph_group = {
    "graph options",
    (const cli_opt[]){
        {"input", 'i', CLI_GRAPH, "GRAPH",
         .help = "an edge list (.txt, .el), LDBC NAME.e, .mtx, .graph (METIS), .gr (DIMACS), any "
                 "of them .gz, an .h5 container, or gen:kron|uniform|grid:KEY=V,...",
         .flags = CLI_REQUIRED},
        {"format", 0, CLI_CHOICE, "F", .help = "the input's format",
         .choices = "edgelist|csv|ldbc|mtx|metis|dimacs|h5", .def_text = "from the file name"},
        {"delimiter", 0, CLI_TEXT, "C", .help = "csv: the field delimiter, one character or 'tab'",
         .def_text = "',' (.csv), tab (.tsv)"},
        {"header", 0, CLI_CHOICE, "H", .help = "csv: whether the first line names the columns",
         .choices = "yes|no|auto", .def = "auto"},
        {"columns", 0, CLI_TEXT, "SRC,DST[,W]",
         .help = "csv: the source, target and weight columns, by number (from 1) or name",
         .def_text = "the first two or three"},
        {"directed", 0, CLI_FLAG, .help = "read every edge as one direction (overrides the file)"},
        {"undirected", 0, CLI_FLAG, .help = "store every edge both ways (overrides the file)"},
        {"partition", 0, CLI_PART, "P",
         .help = "auto, chunk, metis, ptscotch, hash, range, or a partition file (README: "
                 "partitioning)",
         .def_text = "auto; a container's stored partition"},
        {"parts", 0, CLI_INT, "K", .help = "number of parts", .min = 1, .max = 1 << 20,
         .def_text = "the number of ranks"},
        {"dry-run", 0, CLI_FLAG, .help = "print the memory each rank will need, load nothing"},
        {"memory-limit", 0, CLI_TEXT, "SIZE",
         .help = "refuse a load needing more than SIZE (e.g. 8G, 512MiB) on a rank; under a "
                 "limit METIS would exceed, auto partitions by chunk",
         .def_text = "no limit"},
        {0}}};

const cli_group cli_quiet_group = {
    "other options", (const cli_opt[]){{"quiet", 0, CLI_FLAG, .help = "no progress lines"}, {0}}};

const cli_group cli_results_group = {
    "output options",
    (const cli_opt[]){
        {"output", 'o', CLI_OUT, "PATH",
         .help = "'id value' lines sorted by id; PATH.h5: HDF5 with provenance; a directory of "
                 "part files with --dir or a trailing '/'",
         .def_text = "none, nothing is written"},
        {"dir", 0, CLI_FLAG, .help = "--output is a directory: one part-NNNNN file per rank"},
        {"top", 0, CLI_INT, "K", .help = "print the K vertices with the largest values", .min = 0,
         .max = BIG, .def = "0"},
        {"expected", 0, CLI_IN, "FILE",
         .help = "compare the result with a reference 'id value' file (Graphalytics rules)"},
        {"rule", 0, CLI_CHOICE, "R", .help = "how --expected compares",
         .choices = "exact|equiv|epsilon", .def_text = "the algorithm's own; plugins: exact"},
        {0}}};

const cli_group cli_engine_group = {
    "engine options",
    (const cli_opt[]){
        {"max-supersteps", 0, CLI_INT, "N", .help = "stop after N supersteps", .min = 0, .max = BIG,
         .def_text = "the program's own limit"},
        {"no-combiner", 0, CLI_FLAG, .help = "deliver every message uncombined"},
        {"direction", 0, CLI_CHOICE, "D",
         .help = "how values sent to all neighbours travel: each superstep pushes or pulls, "
                 "whichever is cheaper (auto, Beamer's switch), or always push or pull",
         .choices = "auto|push|pull", .def = "auto"},
        {"superstep-timeout", 0, CLI_NUM, "S",
         .help = "end the job with a message when a program callback runs more than S seconds "
                 "(0: no limit)",
         .min = 0, .max = 1e9, .def = "0"},
        {"checkpoint-every", 0, CLI_INT, "K",
         .help = "write a checkpoint into --checkpoint-dir every K supersteps (0: never)", .min = 0,
         .max = BIG, .def = "0"},
        {"checkpoint-dir", 0, CLI_OUT_DIR, "D",
         .help = "checkpoints go here (the last two are kept); SIGUSR1 then writes one and "
                 "stops (exit code 7)"},
        {"restart", 0, CLI_IN_DIR, "D", .help = "resume from the newest usable checkpoint in D"},
        {"fail-at-superstep", 0, CLI_INT, "K",
         .help = "testing: kill rank --fail-rank at the start of superstep K", .min = 0,
         .max = BIG},
        {"fail-rank", 0, CLI_RANK, "R", .help = "the rank --fail-at-superstep kills", .def = "0"},
        {"param", 0, CLI_TEXT, "NAME=V", .help = "set a parameter of the program",
         .flags = CLI_REPEAT},
        {0}}};

const cli_group cli_builtin_group = {
    "algorithm options",
    (const cli_opt[]){
        {"engine", 0, CLI_CHOICE, "E",
         .help = "the vertex engine, or linear algebra (pagerank, wcc, bfs, sssp)",
         .choices = "vertex|linalg", .def = "vertex"},
        {"variant", 0, CLI_TEXT, "V",
         .help = "another method, for comparison: vertex engine wcc label, sssp bf; --engine "
                 "linalg pagerank blocked|fp32|plain, wcc fastsv|frontier|dense, bfs "
                 "diropt|push|spmspv, sssp delta|bellman-ford",
         .def_text = "the algorithm's first"},
        {"delta", 0, CLI_NUM, "D", .help = "sssp: the bucket width of delta-stepping", .min = 0,
         .max = 1e300, .flags = CLI_OPEN_MIN,
         .def_text = "largest weight / average degree, at least the smallest positive weight "
                     "(both engines)"},
        {"verify", 0, CLI_FLAG,
         .help = "check the result against the serial reference (Graphalytics rules)"},
        {0}}};

const cli_group cli_stats_group = {
    "statistics options",
    (const cli_opt[]){{"stats", 0, CLI_OUT, "FILE",
                       .help = "JSON statistics of the command (docs/stats.md): load, run per "
                               "superstep and rank, solver convergence, memory; draw them with "
                               "'amls-graph plot FILE'"},
                      {0}}};
