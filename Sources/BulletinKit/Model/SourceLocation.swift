/// A position in an input file, 1-based, as printed in diagnostics (`path:line:col`).
public struct SourceLocation: Sendable, Hashable, Comparable {
    /// The file's path as the user would type it (relative to where bulletin was run, or absolute).
    public var path: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in Unicode scalars.
    public var column: Int

    public init(path: String, line: Int = 1, column: Int = 1) {
        self.path = path
        self.line = line
        self.column = column
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.path, a.line, a.column) < (b.path, b.line, b.column)
    }
}
