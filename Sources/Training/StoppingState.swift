import Config
import Files
import Learning

/// The stopping rule as training goes: the objective it measures, its record so far, and the
/// epoch it stopped at.
struct StoppingState {
    let objective: InformationObjective
    var rule: InformationStoppingRule
    var stoppedEpoch: Int?

    init(_ settings: StoppingSection, evaluation: Split) {
        objective = InformationObjective(settings: settings, evaluation: evaluation)
        rule = InformationStoppingRule(window: settings.window, tolerance: settings.tolerance)
    }

    /// Measures the snapshot of `epoch` and records it; returns the measurement and its
    /// `/stopping` row (the best epoch so far and the stop, if the rule fired here).
    mutating func record(epoch: Int, activations: [Matrix]) throws -> (measurement: ObjectiveMeasurement, row: StoppingRow) {
        let measurement = try objective.measure(epoch: epoch, hiddenActivations: activations)
        if rule.record(epoch: epoch, objective: measurement.objective) { stoppedEpoch = epoch }
        return (measurement, measurement.row(chosenEpoch: rule.bestEpoch!, stoppedEpoch: stoppedEpoch))
    }

    /// Replays a run file's record (for a resume, which then decides as the uninterrupted run).
    mutating func replay(_ record: StoppingRecord) {
        for (epoch, value) in zip(record.epochs, record.objectives) { _ = rule.record(epoch: epoch, objective: value) }
        stoppedEpoch = record.stoppedEpoch
    }
}
