#ifndef INFOPLANE_CHDF5_SHIM_H
#define INFOPLANE_CHDF5_SHIM_H
#include <hdf5.h>

/* HDF5's predefined types and flags are macros (often over library globals that exist only
   after H5open); Swift cannot import them, so each gets an accessor. */
static inline hid_t infoplane_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t infoplane_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t infoplane_h5t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t infoplane_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t infoplane_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t infoplane_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t infoplane_h5t_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t infoplane_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t infoplane_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t infoplane_h5t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t infoplane_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t infoplane_h5t_std_u8le(void) { return H5T_STD_U8LE; }
static inline hid_t infoplane_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t infoplane_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t infoplane_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t infoplane_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t infoplane_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t infoplane_h5s_all(void) { return H5S_ALL; }
static inline hsize_t infoplane_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline unsigned infoplane_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned infoplane_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned infoplane_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned infoplane_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline size_t infoplane_h5t_variable(void) { return H5T_VARIABLE; }
static inline hid_t infoplane_h5e_default(void) { return H5E_DEFAULT; }
static inline int infoplane_h5z_filter_deflate(void) { return H5Z_FILTER_DEFLATE; }
static inline hid_t infoplane_h5fd_sec2(void) { return H5FD_SEC2; }

/* Silences HDF5's own error-stack printing; the Swift layer reports errors itself. */
static inline void infoplane_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
