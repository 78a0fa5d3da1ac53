/// Bounds on what one input file may hold, so that hostile sizes end in a diagnostic or a cut
/// value instead of a crash, a hang or unbounded memory.
public enum Limits {
    /// Largest post, comment or settings file read.
    public static let fileBytes = 64 << 20
    /// Most values (scalars, lists, mappings) in a post's front matter.
    public static let frontMatterValues = 10_000
    /// Longest title, author, tag and param value kept; longer ones are cut, with a warning.
    public static let titleLength = 300
    public static let authorLength = 100
    public static let tagLength = 100
    public static let paramLength = 10_000
    /// Most tags one post keeps.
    public static let tagsPerPost = 100
}
