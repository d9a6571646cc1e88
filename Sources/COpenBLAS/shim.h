#ifndef INFOPLANE_COPENBLAS_SHIM_H
#define INFOPLANE_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
