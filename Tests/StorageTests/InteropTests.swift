import Foundation
import Storage
import Testing

/// Files written here must open in the tools users have; files from h5py must open here.
@Suite("Interoperability")
struct InteropTests {
    /// A small run.h5 in the shape the experiment code writes.
    private func writeSampleRun(_ path: String) throws {
        try writeAtomically(to: path, overwrite: false) { file in
            try file.root.setAttribute("format", .string("infoplane-run"))
            try file.root.setAttribute("format_version", .int(1))
            try file.root.setAttribute("config", .string("name: \"π run\"\nwidths: [784, 12]\n"))
            try file.root.setAttribute("widths", .ints([784, 12, 10]))
            try file.root.setAttribute("betas", .doubles([0.9, 0.999]))
            try file.root.setAttribute("layers", .strings(["layer_1", "features.0"]))
            let evaluation = try file.root.createGroup("evaluation")
            try evaluation.write("inputs", [Float(0.5), 1.5, 2.5, 3.5, 4.5, 5.5], shape: [2, 3], compressionLevel: 4)
            try evaluation.write("labels", [Int64(7), -2], shape: [2])
            let training = try file.root.createGroup("training")
            try training.createExtendible("epoch", of: Int64.self, chunkRows: 8)
            try training.append("epoch", [Int64(1), 2, 3])
            try training.dataset("epoch").setAttribute("units", .string("epochs"))
        }
    }

    #if os(Linux)
    /// HDF5 holds an flock() on open files; a child process must not inherit it.
    @Test func openFilesAreCloseOnExec() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/locked.h5"
            let file = try HDF5File.create(at: path, overwrite: false)
            let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter {
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) == path
            }
            try #require(descriptors.count == 1, "expected one descriptor for \(path), found \(descriptors)")
            let info = try String(contentsOfFile: "/proc/self/fdinfo/" + descriptors[0], encoding: .utf8)
            let flags = info.split(separator: "\n").first { $0.hasPrefix("flags:") }
                .flatMap { Int($0.dropFirst("flags:".count).trimmingCharacters(in: .whitespaces), radix: 8) }
            let closeOnExec = 0o2000000
            #expect(flags.map { $0 & closeOnExec != 0 } == true, "fdinfo: \(info)")
            try file.close()
        }
    }
    #endif

    @Test(.enabled(if: Tools.h5dump != nil, "h5dump not found on PATH (apt-get install hdf5-tools)"))
    func h5dumpReadsHeaders() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/run.h5"
            try writeSampleRun(path)
            let (status, output) = try Tools.run(Tools.h5dump!, ["-H", path])
            #expect(status == 0, "h5dump -H failed:\n\(output)")
            for name in ["GROUP \"evaluation\"", "DATASET \"inputs\"", "DATASET \"labels\"", "DATASET \"epoch\"",
                         "ATTRIBUTE \"format\"", "H5T_IEEE_F32LE", "H5T_STD_I64LE", "H5T_CSET_UTF8"] {
                #expect(output.contains(name), "h5dump output lacks \(name):\n\(output)")
            }
        }
    }

    @Test(.enabled(if: Tools.h5pyAvailable, "h5py is not importable by python3 (pip install h5py)"))
    func h5pyReadsOurFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/run.h5"
            try writeSampleRun(path)
            let script = """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "r") as f:
                x = f["evaluation/inputs"]
                assert x.dtype == np.float32 and x.shape == (2, 3), (x.dtype, x.shape)
                assert (x[()] == np.arange(6, dtype=np.float32).reshape(2, 3) + 0.5).all(), x[()]
                y = f["evaluation/labels"]
                assert y.dtype == np.int64 and list(y[()]) == [7, -2], (y.dtype, y[()])
                e = f["training/epoch"]
                assert e.maxshape == (None,) and list(e[()]) == [1, 2, 3], (e.maxshape, e[()])
                assert e.attrs["units"] == "epochs", repr(e.attrs["units"])
                s = f.attrs["format"]
                assert isinstance(s, str) and s == "infoplane-run", repr(s)
                c = f.attrs["config"]
                assert isinstance(c, str) and c == 'name: "\\u03c0 run"\\nwidths: [784, 12]\\n', repr(c)
                v = f.attrs["format_version"]
                assert v == 1 and v.dtype == np.int64, repr(v)
                assert list(f.attrs["widths"]) == [784, 12, 10], f.attrs["widths"]
                assert list(f.attrs["betas"]) == [0.9, 0.999], f.attrs["betas"]
                assert list(f.attrs["layers"]) == ["layer_1", "features.0"], f.attrs["layers"]
            print("ok")
            """
            let (status, output) = try Tools.run(Tools.python!, ["-c", script, path])
            #expect(status == 0, "h5py could not read our file:\n\(output)")
            #expect(output.contains("ok"))
        }
    }

    @Test(.enabled(if: Tools.h5pyAvailable, "h5py is not importable by python3 (pip install h5py)"))
    func readsFileWrittenByH5py() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/from_h5py.h5"
            let script = """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "w") as f:
                f.attrs["title"] = "written by h5py ✓"
                f.attrs["fixed"] = np.bytes_(b"fixed-bytes")
                f.attrs["count"] = np.int32(-12)
                f.attrs["small"] = np.uint8(250)
                f.attrs["scale"] = np.float32(0.5)
                f.attrs["ratios"] = np.array([0.25, 1.5], dtype=np.float32)
                f.attrs["shape"] = np.array([[1, 2], [3, 4]], dtype=np.int16)
                f.attrs["flag"] = True
                f.attrs["names"] = ["a", "b"]
                g = f.create_group("plane/layer_1")
                g.create_dataset("mi_x", data=np.array([[0.1, 0.2, 0.3], [1.0, 2.0, 3.0]]))
                g.create_dataset("ids", data=np.array([5, 6, 7], dtype=np.int32))
                g.create_dataset("big", data=np.arange(10, dtype=np.float64), maxshape=(None,), chunks=(4,),
                                 compression="gzip")
                g["ids"].attrs["note"] = "int32 ids"
                c = f.create_group("converted")
                c["half"] = np.array([[0.5, -1.25], [3.0, 65504.0]], dtype=np.float16)
                c["short"] = np.array([[-3, 7]], dtype=np.int16)
                c["bytes"] = np.array([[0, 255]], dtype=np.uint8)
                c["text"] = np.array([b"a", b"b"])
            """
            let (status, output) = try Tools.run(Tools.python!, ["-c", script, path])
            try #require(status == 0, "h5py failed to write the file:\n\(output)")

            let file = try HDF5File.open(at: path, writable: false)
            let root = file.root
            #expect(try root.attribute("title") == .string("written by h5py ✓"))
            #expect(try root.attribute("fixed") == .string("fixed-bytes"))
            #expect(try root.attribute("count") == .int(-12))
            #expect(try root.attribute("small") == .int(250))
            #expect(try root.attribute("scale") == .double(0.5))
            #expect(try root.attribute("ratios") == .doubles([0.25, 1.5]))
            #expect(try root.attribute("shape") == .ints([1, 2, 3, 4]))
            #expect(try root.attribute("flag") == .int(1))
            #expect(try root.attribute("names") == .strings(["a", "b"]))
            let layer = try root.group("plane/layer_1")
            #expect(try layer.members().map(\.name) == ["big", "ids", "mi_x"])
            let (mi, shape) = try layer.read("mi_x", as: Double.self)
            #expect(shape == [2, 3])
            #expect(mi == [0.1, 0.2, 0.3, 1.0, 2.0, 3.0])
            #expect(try layer.read("ids", as: Int64.self).values == [5, 6, 7])
            #expect(try layer.read("ids", as: Int32.self).values == [5, 6, 7])
            #expect(try layer.readRows("big", rows: 3..<6, as: Double.self) == [3, 4, 5])
            #expect(try layer.dataset("ids").stringAttribute("note") == "int32 ids")
            let info = try layer.datasetInfo("big")
            #expect(info.maxShape == [nil])
            #expect(info.filters == ["deflate"])
            // Any number type reads as Float when asked to convert, and says what it was.
            let half = try root.readConverting("converted/half", as: Float.self)
            #expect(half.values == [0.5, -1.25, 3, 65504] && half.shape == [2, 2] && half.stored == "float16")
            #expect(try root.readConverting("converted/short", as: Float.self).values == [-3, 7])
            #expect(try root.readConverting("converted/bytes", as: Float.self).stored == "uint8")
            let rounded = try root.readConverting("plane/layer_1/mi_x", as: Float.self)
            #expect(rounded.values == [0.1, 0.2, 0.3, 1, 2, 3].map { Float($0) } && rounded.stored == "float64")
            #expect(storageError { _ = try root.readConverting("converted/text", as: Float.self) }?.kind == .typeMismatch)
            #expect(storageError { _ = try layer.read("mi_x", as: Float.self) }?.kind == .typeMismatch)
            let lines = try file.describe()
            #expect(lines.contains("    @names = [\"a\", \"b\"]"))
            #expect(lines.contains("/plane/layer_1/ids  int32 [3]"))
        }
    }
}
