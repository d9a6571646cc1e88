import COpenBLAS

/// OpenBLAS's thread count in this process (`openblas_set_num_threads`), for machines with more
/// cores than MPI ranks (`analyze --blas-threads T`). The projections do not depend on it:
/// OpenBLAS splits a `dgemm` over threads by rows and columns of the output, never along the
/// summed dimension, so every element is the same sum in the same order (checked by
/// `BLASThreadsTests` for the projection shapes).
public enum BLASThreads {
    /// The threads BLAS calls of this process use.
    public static var count: Int { Int(openblas_get_num_threads()) }

    /// Makes later BLAS calls of this process use `count` threads (at least 1); above 1, OpenBLAS's
    /// worker threads are started first if ``stopIdleWorkers()`` stopped them.
    public static func set(_ count: Int) {
        let count = max(1, count)
        if count > 1 { infoplane_blas_start_workers() }
        openblas_set_num_threads(Int32(clamping: count))
    }

    /// Stops the worker threads OpenBLAS started when it loaded (one per core unless
    /// OPENBLAS_NUM_THREADS=1), which at one thread only cost: an idle worker spins on sched_yield
    /// before it sleeps, CPU time a one-threaded command pays and a core's share its `--threads`
    /// workers need. Only where no other thread calls BLAS (at start-up): a worker stopped during a
    /// threaded call would leave that call waiting.
    public static func stopIdleWorkers() {
        infoplane_blas_stop_workers()
    }
}
