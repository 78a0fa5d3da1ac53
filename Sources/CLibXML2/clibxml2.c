#include "clibxml2.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// Debian builds libxml2 with ICU, and then encoding.h includes ICU's headers, which need not be
// installed: without the macro it leaves out its ICU converter state and the two trailing
// pointers of xmlCharEncodingHandler, a struct this file never reads.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

// The three functions called; the rest is reading the tree's structs, whose layout is
// libxml2's stable ABI (the soname libxml2.so.2).
static htmlDocPtr (*readMemory)(const char *, int, const char *, const char *, int);
static void (*freeDoc)(xmlDocPtr);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *problem;
static char message[512];

static void load(void) {
    void *library = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(message, sizeof message, "%s", dlerror());
        problem = message;
        return;
    }
    void (*initParser)(void) = (void (*)(void))dlsym(library, "xmlInitParser");
    readMemory = (htmlDocPtr(*)(const char *, int, const char *, const char *, int))dlsym(library, "htmlReadMemory");
    freeDoc = (void (*)(xmlDocPtr))dlsym(library, "xmlFreeDoc");
    if (initParser == NULL || readMemory == NULL || freeDoc == NULL) {
        snprintf(message, sizeof message, "libxml2.so.2 lacks xmlInitParser, htmlReadMemory or xmlFreeDoc");
        problem = message;
        readMemory = NULL;
        return;
    }
    // libxml2 sets its globals up on first use, which two threads must not do at once.
    initParser();
}

const char *bulletin_html_load(void) {
    pthread_once(&once, load);
    return problem;
}

bulletin_html_document *bulletin_html_parse(const char *bytes, int count) {
    if (bulletin_html_load() != NULL) return NULL;
    int options = HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET;
    return (bulletin_html_document *)readMemory(bytes, count, NULL, "UTF-8", options);
}

void bulletin_html_free(bulletin_html_document *document) {
    if (document != NULL) freeDoc((xmlDocPtr)document);
}

const bulletin_html_node *bulletin_html_document_children(const bulletin_html_document *document) {
    return (const bulletin_html_node *)((const xmlDoc *)document)->children;
}

int bulletin_html_node_type(const bulletin_html_node *node) { return (int)((const xmlNode *)node)->type; }

const bulletin_html_node *bulletin_html_node_children(const bulletin_html_node *node) {
    return (const bulletin_html_node *)((const xmlNode *)node)->children;
}

const bulletin_html_node *bulletin_html_node_next(const bulletin_html_node *node) {
    return (const bulletin_html_node *)((const xmlNode *)node)->next;
}

const bulletin_html_node *bulletin_html_node_parent(const bulletin_html_node *node) {
    return (const bulletin_html_node *)((const xmlNode *)node)->parent;
}

const char *bulletin_html_node_name(const bulletin_html_node *node) { return (const char *)((const xmlNode *)node)->name; }

const char *bulletin_html_node_content(const bulletin_html_node *node) { return (const char *)((const xmlNode *)node)->content; }

const bulletin_html_attribute *bulletin_html_node_attributes(const bulletin_html_node *node) {
    return (const bulletin_html_attribute *)((const xmlNode *)node)->properties;
}

const char *bulletin_html_attribute_name(const bulletin_html_attribute *attribute) {
    return (const char *)((const xmlAttr *)attribute)->name;
}

const bulletin_html_node *bulletin_html_attribute_children(const bulletin_html_attribute *attribute) {
    return (const bulletin_html_node *)((const xmlAttr *)attribute)->children;
}

const bulletin_html_attribute *bulletin_html_attribute_next(const bulletin_html_attribute *attribute) {
    return (const bulletin_html_attribute *)((const xmlAttr *)attribute)->next;
}
