/* elig_data.h -- the optional data component (libelig_data): readers and writers of the
 * field's file formats, spike encoders and generated data sets. It depends on zlib and HDF5;
 * the core library (elig.h) does not. Link with -lelig_data -lelig -lhdf5 -lz -lm.
 *
 * Every reader takes a path, treats the bytes as hostile (each size checked before
 * allocating, caps on counts) and reports malformed input as ELIG_EFORMAT with the byte
 * offset in elig_last_error(). Arrays it returns are allocated with malloc; the caller frees.
 */
#ifndef ELIG_DATA_H
#define ELIG_DATA_H

#include "elig.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif /* ELIG_DATA_H */
