#ifndef BULLETIN_CLIBXML2_H
#define BULLETIN_CLIBXML2_H

// libxml2's HTML parser and the tree it makes, for HTMLToMarkdown, loaded with dlopen the first
// time it is wanted: only `bulletin import` reads HTML, and linking libxml2 (which brings ICU,
// zlib and liblzma) into every start of the executable cost 0.5-0.8 ms of each build.
//
// The types are opaque here, so that nothing importing this module needs libxml2's headers.

/// A document libxml2 parsed.
typedef struct bulletin_html_document bulletin_html_document;
/// A node of its tree (libxml2's xmlNode).
typedef struct bulletin_html_node bulletin_html_node;
/// An attribute of an element (libxml2's xmlAttr).
typedef struct bulletin_html_attribute bulletin_html_attribute;

enum {
    BULLETIN_HTML_ELEMENT = 1,
    BULLETIN_HTML_TEXT = 3,
};

/// Loads libxml2 and sets its parser up, once (later calls give the first call's answer).
/// Returns NULL when it is ready, else what went wrong (dlopen's or dlsym's message).
const char *bulletin_html_load(void);

/// `count` bytes of UTF-8 HTML parsed as browsers read it, with no error output and no network;
/// NULL when libxml2 is not loaded or gives no document.
bulletin_html_document *bulletin_html_parse(const char *bytes, int count);
void bulletin_html_free(bulletin_html_document *document);

const bulletin_html_node *bulletin_html_document_children(const bulletin_html_document *document);

/// BULLETIN_HTML_ELEMENT, BULLETIN_HTML_TEXT or another of libxml2's node types.
int bulletin_html_node_type(const bulletin_html_node *node);
const bulletin_html_node *bulletin_html_node_children(const bulletin_html_node *node);
const bulletin_html_node *bulletin_html_node_next(const bulletin_html_node *node);
const bulletin_html_node *bulletin_html_node_parent(const bulletin_html_node *node);
/// An element's name, NULL for none.
const char *bulletin_html_node_name(const bulletin_html_node *node);
/// A text node's text, NULL for none.
const char *bulletin_html_node_content(const bulletin_html_node *node);
const bulletin_html_attribute *bulletin_html_node_attributes(const bulletin_html_node *node);

const char *bulletin_html_attribute_name(const bulletin_html_attribute *attribute);
/// The text nodes that make up its value.
const bulletin_html_node *bulletin_html_attribute_children(const bulletin_html_attribute *attribute);
const bulletin_html_attribute *bulletin_html_attribute_next(const bulletin_html_attribute *attribute);

#endif
