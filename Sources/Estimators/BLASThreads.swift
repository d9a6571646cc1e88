import COpenBLAS

/// OpenBLAS's thread count in this process (`openblas_set_num_threads`), for machines with more
/// cores than MPI ranks (`analyze --blas-threads T`). The projections do not depend on it:
/// OpenBLAS splits a `dgemm` over threads by rows and columns of the output, never along the
/// summed dimension, so every element is the same sum in the same order (checked by
/// `BLASThreadsTests` for the projection shapes).
public enum BLASThreads {
    /// The threads BLAS calls of this process use.
    public static var count: Int { Int(openblas_get_num_threads()) }

    /// Makes later BLAS calls of this process use `count` threads (at least 1). At 1, OpenBLAS's
    /// idle worker threads are stopped as well (they spin before they sleep, costing CPU time and
    /// a share of the cores `--threads` workers use); a later count above 1 starts them again.
    public static func set(_ count: Int) {
        let count = max(1, count)
        if count > 1 { infoplane_blas_start_workers() }
        openblas_set_num_threads(Int32(clamping: count))
        if count == 1 { infoplane_blas_stop_workers() }
    }
}
