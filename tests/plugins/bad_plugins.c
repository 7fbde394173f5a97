/* tests/plugins/bad_plugins.c — descriptors the loader must refuse; one per build, chosen with
 * -DBAD_<KIND>. */
#include "amls/vprog.h"

__attribute__((unused)) static int compute(amls_ctx *cx, amls_vertex v, void *state,
                                           const void *msgs, int64_t n)
{
    (void)cx, (void)v, (void)state, (void)msgs, (void)n;
    return 0;
}

#if defined(BAD_ABI_MAJOR)
static const amls_vprog d = {.abi_major = AMLS_ABI_MAJOR + 1,
                             .abi_minor = 0,
                             .struct_size = sizeof(amls_vprog),
                             .name = "bad",
                             .state_size = 8,
                             .compute = compute};
#elif defined(BAD_ABI_MINOR)
static const amls_vprog d = {.abi_major = AMLS_ABI_MAJOR,
                             .abi_minor = AMLS_ABI_MINOR + 1,
                             .struct_size = sizeof(amls_vprog),
                             .name = "bad",
                             .state_size = 8,
                             .compute = compute};
#elif defined(BAD_ZERO_STATE)
static const amls_vprog d = {.abi_major = AMLS_ABI_MAJOR,
                             .abi_minor = AMLS_ABI_MINOR,
                             .struct_size = sizeof(amls_vprog),
                             .name = "bad",
                             .state_size = 0,
                             .compute = compute};
#elif defined(BAD_NO_COMPUTE)
static const amls_vprog d = {.abi_major = AMLS_ABI_MAJOR,
                             .abi_minor = AMLS_ABI_MINOR,
                             .struct_size = sizeof(amls_vprog),
                             .name = "bad",
                             .state_size = 8};
#endif

#if defined(BAD_NO_ENTRY)
int amls_not_an_entry_point(void);
int amls_not_an_entry_point(void)
{
    return compute(0, 0, 0, 0, 0);
}
#else
AMLS_EXPORT const amls_vprog *amls_vprog_init(const amls_api *api);
AMLS_EXPORT const amls_vprog *amls_vprog_init(const amls_api *api)
{
    (void)api;
    return &d;
}
#endif
