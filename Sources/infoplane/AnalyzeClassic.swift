import Analysis
import ArgumentParser
import Training
import Pipeline
import Support

/// `infoplane analyze --method binning|kde`: the classic full-layer plane. It takes seconds, so
/// rank 0 computes it alone and any other rank exits at once.
extension Analyze {
    func runClassic() throws {
        let chosen: ClassicPlane.Method
        switch method {
        case "binning":
            guard noiseVariance == nil else { throw InfoPlaneError("--noise-variance applies to --method kde: remove it or use --bins") }
            chosen = .binning(bins: bins ?? 30)
        case "kde":
            guard bins == nil else { throw InfoPlaneError("--bins applies to --method binning: remove it or use --noise-variance") }
            chosen = .kde(noiseVariance: noiseVariance ?? 0.1)
        default:
            throw InfoPlaneError("--method \(method) is unknown: use ksg, binning or kde")
        }
        let sliced = [("--slices", selection.slices != nil), ("--k", selection.k != nil), ("--seed", selection.seed != nil),
                      ("--estimator", selection.estimator != nil), ("--[no-]shuffle-baseline", shuffleBaseline != nil)]
        if let (option, _) = sliced.first(where: \.1) {
            throw InfoPlaneError("\(option) applies to the sliced analysis (--method ksg), not to --method \(method): remove it")
        }
        if output.resume {
            throw InfoPlaneError("--resume applies to --method ksg; the \(method) plane takes seconds to recompute: use --force to replace it")
        }
        var request = ClassicPlane.Request(runPath: runFile, method: chosen)
        request.out = out
        request.layers = try selection.layerList()
        request.epochs = try selection.epochList()
        request.force = output.force
        request.quiet = output.quiet
        try withWorld { comm in
            guard comm.rank == 0 else { return nil }
            return try ClassicPlane.run(request, log: ProgressLog(quiet: request.quiet))
        }
    }

    /// `--bins` and `--noise-variance` without their method are mistakes worth naming.
    func rejectClassicOptions() throws {
        if bins != nil { throw InfoPlaneError("--bins applies to --method binning: add --method binning or remove it") }
        if noiseVariance != nil { throw InfoPlaneError("--noise-variance applies to --method kde: add --method kde or remove it") }
    }
}
