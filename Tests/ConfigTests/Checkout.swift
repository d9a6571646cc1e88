import Foundation

/// The checkout this test binary was built from.
let checkoutDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The configs/ directory of this checkout.
let configsDirectory = checkoutDirectory + "/configs"
