// libxml2's HTML parser and tree, for HTMLToMarkdown.
//
// Debian builds libxml2 with ICU, and then encoding.h includes ICU's headers, whose types
// clash with the copy of ICU that Foundation bundles ("'UErrorCode' has different definitions
// in different modules"). Nothing here uses ICU: without the macro, encoding.h leaves out
// its ICU converter state and the two trailing pointers of xmlCharEncodingHandler, a struct
// this package never reads.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
