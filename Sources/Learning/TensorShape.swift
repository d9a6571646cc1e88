/// The shape of one sample's tensor: `channels × height × width`, stored channel-major (PyTorch's
/// NCHW without the N), so element `(c, y, x)` sits at `(c·height + y)·width + x` and a sample
/// flattens to `channels·height·width` values in that order. A flat vector of `n` features is
/// `n × 1 × 1`.
public struct TensorShape: Sendable, Hashable, CustomStringConvertible {
    /// Feature maps (1 for a grey image, units for a dense layer's output).
    public var channels: Int
    /// Rows of each map.
    public var height: Int
    /// Columns of each map.
    public var width: Int

    /// A `channels × height × width` shape.
    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// A flat vector of `count` features (`count × 1 × 1`).
    public static func flat(_ count: Int) -> TensorShape {
        TensorShape(channels: count, height: 1, width: 1)
    }

    /// Values per sample, `channels·height·width`.
    public var count: Int { channels * height * width }

    /// Values per feature map, `height·width`.
    public var planeSize: Int { height * width }

    /// `16×28×28`, or `128` for a flat shape.
    public var description: String {
        height == 1 && width == 1 ? "\(channels)" : "\(channels)×\(height)×\(width)"
    }
}
