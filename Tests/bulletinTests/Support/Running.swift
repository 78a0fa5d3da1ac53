import BulletinTestSupport
import Foundation

extension FixtureSite {
    /// Runs `bulletin` with the site's folder as the current folder.
    func bulletin(_ arguments: String...) throws -> Binary.Result {
        try Binary.run(arguments, in: root)
    }

    /// The site's default output folder, as it is on disk now.
    var published: OutputTree { OutputTree(root + "/public") }
}

/// Folders a build leaves beside an output folder while it runs (`.public.bulletin-staging-PID`,
/// `.public.bulletin-old-PID`), found in `parent`; not the manifest kept there (`.public.bulletin-manifest`).
func stagingLeftovers(beside output: String) -> [String] {
    let url = URL(fileURLWithPath: output)
    let parent = url.deletingLastPathComponent().path
    let prefix = "." + url.lastPathComponent + ".bulletin-"
    return ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasPrefix(prefix) && $0 != prefix + "manifest" }.sorted()
}

/// The `path:line:col: severity: message` lines of a run's stderr with that severity.
func diagnosticLines(_ stderr: String, _ severity: String = "error") -> [String] {
    stderr.split(separator: "\n").map(String.init).filter { $0.contains(": \(severity): ") }
}

/// A fresh empty temporary folder.
func temporaryFolder(_ name: String = "out") throws -> String {
    let path = FileManager.default.temporaryDirectory.path + "/bulletin-\(name)-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// `href`s of the `<a>` elements of a page with the given class, in order.
func links(in html: String, class name: String) -> [String] {
    HTMLTokens(html).startTags.compactMap { tag in
        guard tag.name == "a", let classes = tag.attributes.first(where: { $0.name == "class" })?.value,
            classes.split(separator: " ").contains(Substring(name))
        else { return nil }
        return tag.attributes.first { $0.name == "href" }?.value
    }
}

/// Start tags of a page that carry a class.
func elements(in html: String, class name: String) -> [(name: String, attributes: [HTMLTokens.Attribute])] {
    HTMLTokens(html).startTags.filter { tag in
        tag.attributes.first(where: { $0.name == "class" })?.value.split(separator: " ").contains(Substring(name)) ?? false
    }
}
