import CHDF5

/// Something in an HDF5 file that can carry attributes: a group or a dataset.
public protocol HDF5Object {
    /// The file the object lives in (kept open while the object value exists).
    var file: HDF5File { get }
    /// The object's absolute path in the file, e.g. "/evaluation/inputs"; "/" for the root group.
    var path: String { get }
}

/// One entry of a group, as listed by ``HDF5Group/members()``.
public struct HDF5Member: Sendable, Equatable, CustomStringConvertible {
    /// What a link in a group points at.
    public enum Kind: Sendable, Equatable {
        /// A group.
        case group
        /// A dataset.
        case dataset
        /// A named datatype or a dangling soft/external link.
        case other
    }

    /// The link name inside the group.
    public let name: String
    /// What the link points at.
    public let kind: Kind

    /// A member named `name` of `kind`.
    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// "name" for datasets and others, "name/" for groups.
    public var description: String { kind == .group ? name + "/" : name }
}

/// A group in an open file, addressed by path. Holding one keeps its file object alive; every
/// operation opens and closes the HDF5 ids it needs, so no id outlives a call.
///
/// Names passed to its methods are relative to the group and may be nested ("a/b/c"); a leading
/// "/" makes a name absolute.
public struct HDF5Group: HDF5Object {
    /// The file the group lives in.
    public let file: HDF5File
    /// The group's absolute path, "/" for the root group.
    public let path: String

    init(file: HDF5File, path: String) {
        self.file = file
        self.path = path
    }

    /// The last component of ``path`` ("/" for the root group).
    public var name: String { ObjectPath.lastComponent(path) }

    /// Opens the existing group `name`; an error lists what exists instead.
    public func group(_ name: String) throws -> HDF5Group {
        try withIDs { _ in
            let fid = try file.id()
            let target = try ObjectPath.resolve(name, in: path)
            try requireKind(.group, at: target, fid: fid, in: file)
            return HDF5Group(file: file, path: target)
        }
    }

    /// Creates the group `name`, and any missing groups above it; an error if it already exists.
    public func createGroup(_ name: String) throws -> HDF5Group {
        try withIDs { ids in
            let fid = try file.id(forWriting: true)
            let target = try ObjectPath.resolve(name, in: path)
            if let kind = objectKind(at: target, fid: fid) {
                throw StorageError(.alreadyExists, "\(kindName(kind)) '\(ObjectPath.display(target))' "
                                   + "already exists in \(file.displayName)")
            }
            let lcpl = try intermediateGroupsList(ids)
            try ids.group(H5Gcreate2(fid, target, lcpl, infoplane_h5p_default(), infoplane_h5p_default()),
                          "cannot create group '\(ObjectPath.display(target))' in \(file.displayName)")
            return HDF5Group(file: file, path: target)
        }
    }

    /// The group `name`, created (with any missing parents) if it does not exist yet.
    public func groupOrCreate(_ name: String) throws -> HDF5Group {
        try HDF5Library.run {
            let target = try ObjectPath.resolve(name, in: path)
            if objectKind(at: target, fid: try file.id()) == nil { return try createGroup(name) }
            return try group(name)
        }
    }

    /// Whether `name` (possibly nested, "a/b/c") exists. Each component is checked in turn, so a
    /// missing or non-group parent gives `false` rather than an HDF5 error.
    public func contains(_ name: String) -> Bool {
        kind(of: name) != nil
    }

    /// What `name` is, or nil if it does not exist (or the file is closed).
    public func kind(of name: String) -> HDF5Member.Kind? {
        HDF5Library.run {
            guard let fid = try? file.id(), let target = try? ObjectPath.resolve(name, in: path) else {
                return nil
            }
            return objectKind(at: target, fid: fid)
        }
    }

    /// The group's members sorted by name.
    public func members() throws -> [HDF5Member] {
        try withIDs { _ in try memberList(of: path, fid: try file.id(), in: file) }
    }

    /// Deletes the link `name` (a dataset or a whole group). HDF5 does not shrink the file;
    /// `h5repack` reclaims the space if it matters.
    public func remove(_ name: String) throws {
        try withIDs { _ in
            let fid = try file.id(forWriting: true)
            let target = try ObjectPath.resolve(name, in: path)
            guard target != "/" else {
                throw StorageError(.invalidArgument, "cannot remove the root group of \(file.displayName)")
            }
            guard objectKind(at: target, fid: fid) != nil else {
                throw missingObjectError("object", at: target, fid: fid, in: file)
            }
            try check(H5Ldelete(fid, target, infoplane_h5p_default()),
                      "cannot remove '\(ObjectPath.display(target))' from \(file.displayName)")
        }
    }

    /// Renames `name` to `newName` (both relative to this group, missing parents of `newName` are
    /// created). A link move is atomic, so a group written under a temporary name and then moved
    /// is either fully published or absent.
    public func move(_ name: String, to newName: String) throws {
        try withIDs { ids in
            let fid = try file.id(forWriting: true)
            let source = try ObjectPath.resolve(name, in: path)
            let destination = try ObjectPath.resolve(newName, in: path)
            guard objectKind(at: source, fid: fid) != nil else {
                throw missingObjectError("object", at: source, fid: fid, in: file)
            }
            if objectKind(at: destination, fid: fid) != nil {
                throw StorageError(.alreadyExists, "cannot move '\(ObjectPath.display(source))' to "
                                   + "'\(ObjectPath.display(destination))' in \(file.displayName): "
                                   + "the destination exists — remove it first")
            }
            let lcpl = try intermediateGroupsList(ids)
            try check(H5Lmove(fid, source, fid, destination, lcpl, infoplane_h5p_default()),
                      "cannot move '\(ObjectPath.display(source))' to "
                      + "'\(ObjectPath.display(destination))' in \(file.displayName)")
        }
    }
}

// MARK: - Internal lookups (callers hold the library lock)

/// What `path` (absolute) is, or nil if any component is missing.
func objectKind(at path: String, fid: hid_t) -> HDF5Member.Kind? {
    var prefix = ""
    for component in ObjectPath.components(path) {
        prefix += "/" + component
        // Negative (e.g. a parent that is a dataset) counts as missing, as does 0.
        if H5Lexists(fid, prefix, infoplane_h5p_default()) <= 0 { return nil }
    }
    return openedKind(fid, path)
}

/// The kind of the object at `name` relative to `location`; dangling links are `.other`.
private func openedKind(_ location: hid_t, _ name: String) -> HDF5Member.Kind {
    let object = H5Oopen(location, name, infoplane_h5p_default())
    guard object >= 0 else { return .other }
    defer { H5Oclose(object) }
    switch H5Iget_type(object) {
    case H5I_GROUP: return .group
    case H5I_DATASET: return .dataset
    default: return .other
    }
}

/// The members of the group at `path`, sorted by name.
func memberList(of path: String, fid: hid_t, in file: HDF5File) throws -> [HDF5Member] {
    try withIDs { ids in
        let display = ObjectPath.display(path)
        let failure = "cannot list group '\(display)' in \(file.displayName)"
        let group = try ids.group(H5Gopen2(fid, path, infoplane_h5p_default()), failure)
        var info = H5G_info_t()
        try check(H5Gget_info(group, &info), failure)
        var members: [HDF5Member] = []
        for index in 0..<info.nlinks {
            let length = try check(H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0,
                                                      infoplane_h5p_default()), failure)
            var buffer = [CChar](repeating: 0, count: length + 1)
            try check(H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, length + 1,
                                         infoplane_h5p_default()), failure)
            let name = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            members.append(HDF5Member(name: name, kind: openedKind(group, name)))
        }
        return members.sorted { $0.name < $1.name }
    }
}

/// Throws unless `path` exists and is of `kind`.
func requireKind(_ kind: HDF5Member.Kind, at path: String, fid: hid_t, in file: HDF5File) throws {
    guard let found = objectKind(at: path, fid: fid) else {
        throw missingObjectError(kindName(kind), at: path, fid: fid, in: file)
    }
    if found != kind {
        throw StorageError(.notFound, "'\(ObjectPath.display(path))' in \(file.displayName) is a "
                           + "\(kindName(found)), not a \(kindName(kind))")
    }
}

func kindName(_ kind: HDF5Member.Kind) -> String {
    switch kind {
    case .group: return "group"
    case .dataset: return "dataset"
    case .other: return "object"
    }
}

/// "no dataset 'a/b' in run.h5 (it has: x, y)", naming the nearest existing ancestor when the
/// parent itself is missing, so the user sees where the path goes wrong.
func missingObjectError(_ what: String, at path: String, fid: hid_t, in file: HDF5File) -> StorageError {
    let lead = "no \(what) '\(ObjectPath.display(path))' in \(file.displayName)"
    var ancestor = ObjectPath.parent(path)
    var isParent = true
    while ancestor != "/", objectKind(at: ancestor, fid: fid) != .group {
        ancestor = ObjectPath.parent(ancestor)
        isParent = false
    }
    guard let names = try? memberList(of: ancestor, fid: fid, in: file).map(\.description) else {
        return StorageError(.notFound, lead)
    }
    let owner = isParent ? "it" : (ancestor == "/" ? "the root group" : "'\(ObjectPath.display(ancestor))'")
    let contents = names.isEmpty ? "\(owner) is empty" : "\(owner) has: \(listNames(names))"
    return StorageError(.notFound, "\(lead) (\(contents))")
}

/// Link creation properties that create missing intermediate groups.
func intermediateGroupsList(_ ids: IDs) throws -> hid_t {
    let lcpl = try ids.plist(H5Pcreate(infoplane_h5p_link_create()), "cannot create link properties")
    try check(H5Pset_create_intermediate_group(lcpl, 1), "cannot set link properties")
    return lcpl
}
