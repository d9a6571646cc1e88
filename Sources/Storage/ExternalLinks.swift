import CHDF5

extension HDF5Group {
    /// Creates `name` as an external link to `object` (absolute, "/" for the root group) in the
    /// file `targetFile`, a path relative to this file's directory (HDF5 looks there first) or
    /// absolute. Readers (ours, h5py, h5dump) follow the link as if the object were here.
    public func linkExternal(_ name: String, toFile targetFile: String, object: String = "/") throws {
        try withIDs { ids in
            let fid = try file.id(forWriting: true)
            let target = try ObjectPath.resolve(name, in: path)
            if H5Lexists(fid, target, infoplane_h5p_default()) > 0 {
                throw StorageError(.alreadyExists, "cannot link '\(ObjectPath.display(target))' in \(file.displayName): "
                                   + "the name exists — remove it first")
            }
            let lcpl = try intermediateGroupsList(ids)
            try check(H5Lcreate_external(targetFile, object, fid, target, lcpl, infoplane_h5p_default()),
                      "cannot link '\(ObjectPath.display(target))' to \(targetFile) in \(file.displayName)")
        }
    }

    /// The file and object an external link `name` points at, or nil when `name` is no external
    /// link (a group, a dataset, a soft link, or nothing). The link itself is read, not followed,
    /// so a link to a missing file still answers.
    public func externalLink(_ name: String) throws -> (file: String, object: String)? {
        try withIDs { _ in
            let fid = try file.id()
            let target = try ObjectPath.resolve(name, in: path)
            let parent = ObjectPath.parent(target)
            guard parent == "/" || objectKind(at: parent, fid: fid) == .group,
                  H5Lexists(fid, target, infoplane_h5p_default()) > 0 else { return nil }
            var info = H5L_info_t()
            try check(H5Lget_info(fid, target, &info, infoplane_h5p_default()),
                      "cannot read link '\(ObjectPath.display(target))' in \(file.displayName)")
            guard info.type == H5L_TYPE_EXTERNAL else { return nil }
            let size = Int(info.u.val_size)
            var buffer = [UInt8](repeating: 0, count: max(size, 1))
            try check(H5Lget_val(fid, target, &buffer, size, infoplane_h5p_default()),
                      "cannot read link '\(ObjectPath.display(target))' in \(file.displayName)")
            // The names point into `buffer`: copy them out while it is pinned.
            let names: (String, String)? = try buffer.withUnsafeMutableBytes { bytes in
                var flags: UInt32 = 0
                var fileName: UnsafePointer<CChar>?
                var objectName: UnsafePointer<CChar>?
                try check(H5Lunpack_elink_val(bytes.baseAddress, size, &flags, &fileName, &objectName),
                          "cannot read link '\(ObjectPath.display(target))' in \(file.displayName)")
                guard let fileName, let objectName else { return nil }
                return (String(cString: fileName), String(cString: objectName))
            }
            return names.map { (file: $0.0, object: $0.1) }
        }
    }
}
