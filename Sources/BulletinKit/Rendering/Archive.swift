/// Posts grouped by their local posting year, month and day, newest first everywhere.
public struct Archive: Sendable {
    public struct Year: Sendable {
        public var year: Int
        public var posts: [PostRef]
        public var months: [Month]
    }

    public struct Month: Sendable {
        public var year: Int
        public var month: Int
        public var posts: [PostRef]
        public var days: [Day]
    }

    public struct Day: Sendable {
        public var year: Int
        public var month: Int
        public var day: Int
        public var posts: [PostRef]
    }

    public var years: [Year]

    public init(index: SiteIndex) {
        var years: [Year] = []
        for ref in index.newest {
            let d = index.days[ref.board][ref.post]
            if years.last?.year != d.year { years.append(Year(year: d.year, posts: [], months: [])) }
            let y = years.count - 1
            years[y].posts.append(ref)
            if years[y].months.last?.month != d.month {
                years[y].months.append(Month(year: d.year, month: d.month, posts: [], days: []))
            }
            let m = years[y].months.count - 1
            years[y].months[m].posts.append(ref)
            if years[y].months[m].days.last?.day != d.day {
                years[y].months[m].days.append(Day(year: d.year, month: d.month, day: d.day, posts: []))
            }
            years[y].months[m].days[years[y].months[m].days.count - 1].posts.append(ref)
        }
        self.years = years
    }

    public static func folder(year: Int) -> String { "archive/" + pad(year, 4) + "/" }
    public static func folder(year: Int, month: Int) -> String { folder(year: year) + pad(month, 2) + "/" }
    public static func folder(year: Int, month: Int, day: Int) -> String { folder(year: year, month: month) + pad(day, 2) + "/" }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
