/* ---------------------------------------------------------------------------------------------
 * engine/checkpoint.h — writing and restoring superstep checkpoints (internal).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "engine/runtime.h"

/* Writes the state at the start of superstep `next` into o->checkpoint_dir. Collective. */
int amls__ckpt_write(amls_ctx *cx, const amls_run_opts *o, const char *params, int64_t next);
/* Restores the newest usable checkpoint of o->restart_dir (falling back past damaged ones);
 * *next gets the superstep to run. Collective. */
int amls__ckpt_restore(amls_ctx *cx, const amls_run_opts *o, const char *params, int64_t *next);
/* Rebuilds the ghost copies of published values after a restore. Collective. */
int amls__exchange_published(amls_ctx *cx);
