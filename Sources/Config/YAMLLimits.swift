// CYaml is the libyaml that Yams bundles and parses with. Its event API is the one place the
// config reader reaches below Yams: events can be counted without building a tree, while Yams's
// composer recurses once per nesting level (a stack overflow at a few thousand) and shares
// aliased nodes that our tree would copy out (a 342-byte alias bomb expands to 9.7 GB).
import CYaml
import Support

/// The limits every YAML document the suite reads must respect (configs, settings files,
/// `--set` values, a run file's stored config), checked before Yams composes it. Real configs
/// are a few hundred bytes, three levels deep and a few dozen values; each limit is hundreds
/// of times that, and far below what would exhaust the stack, the memory or the time.
public enum YAMLLimits {
    /// Largest document: 1 MiB.
    public static let maximumBytes = 1 << 20
    /// Deepest nesting of sections and lists (the document's own mapping is the first level),
    /// counting what aliases expand to.
    public static let maximumDepth = 64
    /// Most values (scalars, lists, sections) once every alias is expanded.
    public static let maximumNodes = 100_000

    /// Refuses `text` if it is larger, deeper or expands to more values than the limits, in one
    /// line naming `source`, the line where the limit was crossed, and the fix. Syntax errors are
    /// left to Yams, which reports them with their place.
    public static func check(_ text: String, source: String) throws {
        let bytes = Array(text.utf8)
        guard bytes.count <= maximumBytes else { throw tooLarge(source) }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw InfoPlaneError("\(source): the YAML parser could not start (out of memory?)") }
        defer { yaml_parser_delete(&parser) }
        try bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var walk = EventWalk(source: source)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return }
                try walk.take(event)
            }
        }
    }

    /// The one-line refusal of a document larger than ``maximumBytes``.
    public static func tooLarge(_ source: String) -> InfoPlaneError {
        InfoPlaneError("\(source) is larger than 1 MiB (\(maximumBytes) bytes), the most a config may hold: configs state only the settings they change; check that this is the right file")
    }

    /// The events seen so far: open collections, anchored nodes' expanded size and depth.
    private struct EventWalk {
        /// An open section or list: the values below it, and how many levels of sections and
        /// lists its deepest child holds (0: scalars only).
        struct Frame {
            var anchor: String?
            var nodes = 0
            var depth = 0
        }

        let source: String
        var open: [Frame] = []
        var anchors: [String: (nodes: Int, depth: Int)] = [:]
        var total = 0

        init(source: String) { self.source = source }

        mutating func take(_ event: yaml_event_t) throws {
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let anchor = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                try count(1, line: line)
                open.append(Frame(anchor: anchor.map { String(cString: $0) }))
                if open.count > YAMLLimits.maximumDepth { throw tooDeep(line) }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = open.popLast() else { return }
                try add(nodes: frame.nodes + 1, depth: frame.depth + 1, anchor: frame.anchor, line: line)
            case YAML_SCALAR_EVENT:
                try count(1, line: line)
                try add(nodes: 1, depth: 0, anchor: event.data.scalar.anchor.map { String(cString: $0) }, line: line)
            case YAML_ALIAS_EVENT:
                // An undefined alias is Yams's error to report.
                guard let name = event.data.alias.anchor.map({ String(cString: $0) }), let node = anchors[name] else { return }
                try count(node.nodes, line: line)
                try add(nodes: node.nodes, depth: node.depth, anchor: nil, line: line)
            default:
                break
            }
        }

        /// `nodes` more values in the expanded document (an anchored value's size is at most
        /// the limit, so the sum cannot overflow before it is refused).
        private mutating func count(_ nodes: Int, line: Int) throws {
            total += nodes
            if total > YAMLLimits.maximumNodes {
                throw InfoPlaneError("\(source): by line \(line) the document expands to more than \(YAMLLimits.maximumNodes) values (aliases included), the most a config may hold: write the values out, or use fewer aliases (*name)")
            }
        }

        /// A complete value of `nodes` values holding `depth` levels of sections and lists
        /// (0 for a scalar) joins its parent.
        private mutating func add(nodes: Int, depth: Int, anchor: String?, line: Int) throws {
            if open.count + depth > YAMLLimits.maximumDepth { throw tooDeep(line) }
            if let anchor { anchors[anchor] = (nodes, depth) }
            guard !open.isEmpty else { return }
            open[open.count - 1].nodes += nodes
            open[open.count - 1].depth = max(open[open.count - 1].depth, depth)
        }

        private func tooDeep(_ line: Int) -> InfoPlaneError {
            InfoPlaneError("\(source): line \(line) nests more than \(YAMLLimits.maximumDepth) levels deep (aliases included), the most a config may: configs use three (section, key, list); check the brackets and indentation there")
        }
    }
}
