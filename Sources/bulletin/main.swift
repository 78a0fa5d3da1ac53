import BulletinCommand
// Linked for its malloc, which takes the place of the C library's for the whole process.
import CMimalloc

runCommandLine(Bulletin.self)
