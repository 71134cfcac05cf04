// simdjson's side of bench/json/run.sh (Debian's libsimdjson-dev): the DOM parser on the same
// files, alone and followed by a walk that copies every string and key into memory it owns, which
// is the least a shim handing a tree to Swift would add.
// Usage: simdjson-parser SECONDS FILE...; prints per file: name, bytes, MB per CPU second parsing,
// the same parsing and copying, validate_utf8 alone, and the SIMD implementation simdjson chose.
#include <simdjson.h>

#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

static size_t copy_tree(simdjson::dom::element element, std::vector<std::string> &out) {
    using simdjson::dom::element_type;
    switch (element.type()) {
    case element_type::OBJECT: {
        size_t n = 0;
        simdjson::dom::object object = element.get_object().value_unsafe();
        for (auto field : object) {
            out.emplace_back(field.key);
            n += 1 + copy_tree(field.value, out);
        }
        return n;
    }
    case element_type::ARRAY: {
        size_t n = 0;
        simdjson::dom::array array = element.get_array().value_unsafe();
        for (auto child : array) n += 1 + copy_tree(child, out);
        return n;
    }
    case element_type::STRING:
        out.emplace_back(element.get_string().value_unsafe());
        return 1;
    default:
        return 1;
    }
}

// Seconds of CPU this thread has used: on a shared machine, wall time would measure the others.
static double cpu_seconds() {
    timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

template <typename Body> static double rate(double seconds, size_t bytes, Body body) {
    body();  // warm-up
    double start = cpu_seconds();
    size_t rounds = 0;
    double elapsed = 0;
    do {
        body();
        rounds++;
        elapsed = cpu_seconds() - start;
    } while (elapsed < seconds);
    return double(bytes) * double(rounds) / 1e6 / elapsed;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 2;
    simdjson::dom::parser parser;
    for (int i = 2; i < argc; i++) {
        simdjson::padded_string json;
        if (simdjson::padded_string::load(argv[i]).get(json)) return 2;
        size_t sink = 0;
        double parse = rate(seconds, json.size(), [&] {
            simdjson::dom::element doc;
            if (parser.parse(json).get(doc)) exit(3);
            sink += doc.is_object();
        });
        std::vector<std::string> strings;
        double copy = rate(seconds, json.size(), [&] {
            simdjson::dom::element doc;
            if (parser.parse(json).get(doc)) exit(3);
            strings.clear();
            sink += copy_tree(doc, strings);
        });
        double validate = rate(seconds, json.size(), [&] { sink += simdjson::validate_utf8(json.data(), json.size()); });
        std::string name(argv[i]);
        name = name.substr(name.find_last_of('/') + 1);
        printf("%s %zu %.0f %.0f %.0f %s\n", name.c_str(), json.size(), parse, copy, validate,
               simdjson::get_active_implementation()->name().c_str());
        if (sink == 0) return 4;
    }
    return 0;
}
