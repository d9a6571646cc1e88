#ifndef INFOPLANE_CMPI_SHIM_H
#define INFOPLANE_CMPI_SHIM_H
#include <mpi.h>

/* Open MPI's handles are macros over addresses of globals; Swift cannot import them. */
static inline MPI_Comm infoplane_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm infoplane_mpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Datatype infoplane_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype infoplane_mpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype infoplane_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype infoplane_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Datatype infoplane_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype infoplane_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Op infoplane_mpi_op_sum(void) { return MPI_SUM; }
static inline MPI_Op infoplane_mpi_op_max(void) { return MPI_MAX; }
static inline MPI_Op infoplane_mpi_op_min(void) { return MPI_MIN; }
static inline MPI_Request infoplane_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Errhandler infoplane_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int infoplane_mpi_any_source(void) { return MPI_ANY_SOURCE; }
static inline int infoplane_mpi_any_tag(void) { return MPI_ANY_TAG; }
static inline int infoplane_mpi_success(void) { return MPI_SUCCESS; }
static inline int infoplane_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline MPI_Status *infoplane_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Status *infoplane_mpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
static inline MPI_Info infoplane_mpi_info_null(void) { return MPI_INFO_NULL; }
static inline int infoplane_mpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
static inline int infoplane_mpi_mode_nocheck(void) { return MPI_MODE_NOCHECK; }
static inline MPI_Win infoplane_mpi_win_null(void) { return MPI_WIN_NULL; }
#endif
