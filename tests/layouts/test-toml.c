#include <stdlib.h>

#include "layouts/toml.h"

#include "check.h"

/* The TOML subset: what parses, to what, and what each error says and where. */

static struct toml_value *parse(const char *text)
{
	struct toml_error err;
	struct toml_value *v = toml_parse(text, strlen(text), &err);
	if (v == NULL) {
		fprintf(stderr, "unexpected error %d:%d: %s\n  in: %s\n", err.pos.line,
			err.pos.column, err.message, text);
	}
	return v;
}

/* Follows a dotted path of plain keys (and [n] for array items) from the root. */
static const struct toml_value *at(const struct toml_value *v, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *part = strtok(buf, "."); part != NULL && v != NULL; part = strtok(NULL, ".")) {
		if (part[0] == '[') {
			size_t n = strtoul(part + 1, NULL, 10);
			v = v->type == TOML_ARRAY && n < v->array.len ? v->array.items[n] : NULL;
		} else {
			v = toml_table_get(v, part);
		}
	}
	return v;
}

static void test_everything(void)
{
	const char *text = "# a comment\n"
			   "title = \"mosaic\" # after a value\n"
			   "'literal key' = 'C:\\path\\no escapes'\n"
			   "\"quoted key\" = \"tab\\there \\\"q\\\" \\\\ \\u00e9\\U0001F600\"\n"
			   "dotted.key.here = 1\n"
			   "int = -1_000\n"
			   "plus = +42\n"
			   "zero = 0\n"
			   "float = 3.5\n"
			   "exp = -2e-3\n"
			   "both = 6.02_2E2_3\n"
			   "yes = true\n"
			   "no = false\n"
			   "array = [\n"
			   "  1, # one\n"
			   "  2,\n"
			   "  3,\n"
			   "]\n"
			   "nested = [[1, 2], [\"a\"], []]\n"
			   "inline = { a = 1, b.c = \"d\", e = { f = [] } }\n"
			   "empty = {}\n"
			   "\n"
			   "[table]\n"
			   "key = \"value\"\n"
			   "[table.sub]\n"
			   "[[items]]\n"
			   "n = 1\n"
			   "[items.detail]\n"
			   "x = 1\n"
			   "[[items]]\n"
			   "n = 2\n"
			   "[ spaced . 'header' ]\n";
	struct toml_value *root = parse(text);
	CHECK(root != NULL);
	if (root == NULL) {
		return;
	}
	CHECK_STR(at(root, "title")->string.ptr, "mosaic");
	CHECK_STR(toml_table_get(root, "literal key")->string.ptr, "C:\\path\\no escapes");
	CHECK_STR(toml_table_get(root, "quoted key")->string.ptr,
		"tab\there \"q\" \\ \xc3\xa9\xf0\x9f\x98\x80");
	CHECK_INT(at(root, "dotted.key.here")->integer, 1);
	CHECK_INT(at(root, "int")->integer, -1000);
	CHECK_INT(at(root, "plus")->integer, 42);
	CHECK_INT(at(root, "zero")->integer, 0);
	CHECK(at(root, "float")->type == TOML_FLOAT);
	CHECK_DOUBLE(at(root, "float")->floating, 3.5);
	CHECK_DOUBLE(at(root, "exp")->floating, -0.002);
	CHECK_DOUBLE(at(root, "both")->floating / 6.022e23, 1.0);
	CHECK(at(root, "yes")->boolean == true);
	CHECK(at(root, "no")->type == TOML_BOOLEAN && at(root, "no")->boolean == false);
	CHECK_INT(at(root, "array")->array.len, 3);
	CHECK_INT(at(root, "array.[2]")->integer, 3);
	CHECK_INT(at(root, "nested")->array.len, 3);
	CHECK_INT(at(root, "nested.[0].[1]")->integer, 2);
	CHECK_STR(at(root, "nested.[1].[0]")->string.ptr, "a");
	CHECK_INT(at(root, "nested.[2]")->array.len, 0);
	CHECK_INT(at(root, "inline.a")->integer, 1);
	CHECK_STR(at(root, "inline.b.c")->string.ptr, "d");
	CHECK_INT(at(root, "inline.e.f")->array.len, 0);
	CHECK_INT(at(root, "empty")->table.len, 0);
	CHECK_STR(at(root, "table.key")->string.ptr, "value");
	CHECK(at(root, "table.sub")->type == TOML_TABLE);
	CHECK_INT(at(root, "items")->array.len, 2);
	CHECK_INT(at(root, "items.[0].n")->integer, 1);
	CHECK_INT(at(root, "items.[0].detail.x")->integer, 1);
	CHECK_INT(at(root, "items.[1].n")->integer, 2);
	CHECK(at(root, "items.[1].detail") == NULL);
	CHECK(at(root, "spaced.header") != NULL);

	/* Keys keep file order. */
	CHECK_STR(root->table.items[0].key, "title");
	CHECK_STR(root->table.items[1].key, "literal key");

	/* Positions: keys and values, 1-based. */
	const struct toml_kv *kv = toml_table_get_kv(root, "title");
	CHECK_INT(kv->key_pos.line, 2);
	CHECK_INT(kv->key_pos.column, 1);
	CHECK_INT(kv->value->pos.line, 2);
	CHECK_INT(kv->value->pos.column, 9);
	CHECK_INT(at(root, "array.[1]")->pos.line, 16);
	CHECK_INT(at(root, "array.[1]")->pos.column, 3);
	CHECK_INT(at(root, "inline.e")->pos.column, 34);
	CHECK_INT(at(root, "table")->pos.line, 23);
	CHECK_INT(at(root, "items.[1]")->pos.line, 30);
	CHECK_INT(at(root, "items.[1]")->pos.column, 1);
	toml_value_destroy(root);
}

static void test_numbers(void)
{
	struct toml_value *root = parse("max = 9223372036854775807\n"
					"min = -9223372036854775808\n"
					"small = 1e-400\n"
					"big = 1.7976931348623157e308\n"
					"lead = 0.5\n"
					"expzero = 1e05\n");
	CHECK(root != NULL);
	if (root == NULL) {
		return;
	}
	CHECK(at(root, "max")->integer == INT64_MAX);
	CHECK(at(root, "min")->integer == INT64_MIN);
	CHECK_DOUBLE(at(root, "small")->floating, 0.0);
	CHECK(at(root, "big")->floating > 1e308);
	CHECK_DOUBLE(at(root, "lead")->floating, 0.5);
	CHECK_DOUBLE(at(root, "expzero")->floating, 1e5);
	toml_value_destroy(root);
}

static void test_tables(void)
{
	/* A table made implicitly by [a.b] may be defined later, once. */
	struct toml_value *root = parse("[a.b]\nx = 1\n[a]\ny = 2\n");
	CHECK(root != NULL);
	if (root != NULL) {
		CHECK_INT(at(root, "a.b.x")->integer, 1);
		CHECK_INT(at(root, "a.y")->integer, 2);
		CHECK_INT(at(root, "a")->pos.line, 3);
		toml_value_destroy(root);
	}
	/* Sub-tables of tables that dotted keys made. */
	root = parse("[fruit]\napple.color = 'red'\napple.taste.sweet = true\n"
		     "[fruit.apple.texture]\nsmooth = true\n");
	CHECK(root != NULL);
	if (root != NULL) {
		CHECK(at(root, "fruit.apple.taste.sweet")->boolean);
		CHECK(at(root, "fruit.apple.texture.smooth")->boolean);
		toml_value_destroy(root);
	}
	/* CRLF, a BOM, no final newline, empty input. */
	root = parse("\xef\xbb\xbf"
		     "a = 1\r\n[t]\r\nb = 'x' # c\r\nc = 2");
	CHECK(root != NULL);
	if (root != NULL) {
		CHECK_INT(at(root, "t.c")->integer, 2);
		CHECK_INT(at(root, "t.c")->pos.line, 4);
		toml_value_destroy(root);
	}
	root = parse("");
	CHECK(root != NULL && root->table.len == 0);
	toml_value_destroy(root);

	/* Many keys: the hash index answers like the list. */
	char *big = malloc(2000 * 16);
	size_t o = 0;
	for (int k = 0; k < 2000; k++) {
		o += (size_t)sprintf(big + o, "k%d = %d\n", k, k);
	}
	root = parse(big);
	CHECK(root != NULL);
	if (root != NULL) {
		CHECK(root->table.index != NULL);
		CHECK_INT(at(root, "k0")->integer, 0);
		CHECK_INT(at(root, "k1234")->integer, 1234);
		CHECK_INT(at(root, "k1999")->integer, 1999);
		CHECK(at(root, "k2000") == NULL);
		toml_value_destroy(root);
	}
	free(big);
}

static void test_depth(void)
{
	char text[256];
	/* 32 nested arrays fit; one more is too deep. */
	snprintf(text, sizeof(text), "a = %.32s%.32s\n", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
		"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	struct toml_value *root = parse(text);
	CHECK(root != NULL);
	toml_value_destroy(root);

	struct toml_error err;
	snprintf(text, sizeof(text), "a = %.33s\n", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
	CHECK(toml_parse(text, strlen(text), &err) == NULL);
	CHECK_STR(err.message, "values nested too deeply (at most 32 levels)");
	CHECK_INT(err.pos.column, 37);
}

struct error_case {
	const char *text;
	int line, column;
	const char *message;
};

static const struct error_case errors[] = {
	/* Outside the subset, said so. */
	{"s = \"\"\"multi\nline\"\"\"\n", 1, 5,
		"multi-line strings are outside the supported TOML subset"},
	{"s = '''x'''\n", 1, 5, "multi-line strings are outside the supported TOML subset"},
	{"d = 1979-05-27\n", 1, 5, "dates and times are outside the supported TOML subset"},
	{"t = 07:32:00\n", 1, 5, "dates and times are outside the supported TOML subset"},
	{"h = 0xff\n", 1, 5,
		"hexadecimal, octal and binary integers are outside the supported TOML subset"},
	{"o = 0o17\n", 1, 5,
		"hexadecimal, octal and binary integers are outside the supported TOML subset"},
	{"b = 0b101\n", 1, 5,
		"hexadecimal, octal and binary integers are outside the supported TOML subset"},
	{"f = inf\n", 1, 5, "inf and nan are outside the supported TOML subset"},
	{"f = -nan\n", 1, 5, "inf and nan are outside the supported TOML subset"},
	{"a = [1, 'x']\n", 1, 9,
		"mixed types in an array: this is a string, the first element is an integer"},
	{"a = [1, 2.0]\n", 1, 9,
		"mixed types in an array: this is a float, the first element is an integer"},
	/* Duplicates and redefinitions. */
	{"a = 1\nb = 2\na = 3\n", 3, 1, "duplicate key 'a' (first defined at 1:1)"},
	{"[t]\n[t]\n", 2, 1, "table [t] is defined twice (first at 1:1)"},
	{"[t]\nx = 1\n[u]\n[t]\n", 4, 1, "table [t] is defined twice (first at 1:1)"},
	{"a.b = 1\n[a]\n", 2, 1, "table [a] was already defined by a dotted key at 1:1"},
	{"a = 1\n[a]\n", 2, 1, "'a' is already an integer (defined at 1:1)"},
	{"a = {x = 1}\n[a.b]\n", 2, 2,
		"'a' is already an inline table (defined at 1:1); a header cannot extend it"},
	{"a = {x = 1}\na.y = 2\n", 2, 1,
		"cannot add keys to the inline table 'a' (defined at 1:1)"},
	{"a = 1\na.b = 2\n", 2, 1, "'a' is already an integer (defined at 1:1), not a table"},
	{"[a.b.c]\n[a]\nb.c.d = 1\n", 3, 1,
		"cannot add keys to the table 'b' with a dotted key: it was defined by a [header] "
		"at 1:1"},
	{"[[a]]\n[a]\n", 2, 1, "'a' is an array of tables (first at 1:1); write [[a]]"},
	{"a = []\n[[a]]\n", 2, 3,
		"'a' is already an array (defined at 1:1); [[a]] cannot append to it"},
	{"[a]\n[[a]]\n", 2, 3,
		"'a' is already a table (defined at 1:1); [[a]] cannot append to it"},
	{"x = {a = 1, a = 2}\n", 1, 13, "duplicate key 'a' (first defined at 1:6)"},
	/* Syntax. */
	{"a = \n", 1, 5, "the key 'a' has no value"},
	{"a\n", 1, 2, "expected '=' after the key 'a', found end of line"},
	{"a = 1 b = 2\n", 1, 7, "expected a newline after the value, found 'b'"},
	{"a = \"open\n", 1, 5, "unterminated string"},
	{"a = 'open\n", 1, 5, "unterminated string"},
	{"a = \"\\x\"\n", 1, 6, "unknown escape sequence '\\x'"},
	{"a = \"\\u12\"\n", 1, 6, "'\\u' needs exactly 4 hexadecimal digits"},
	{"a = \"\\u0000\"\n", 1, 6, "'\\u0000' (NUL) is not allowed in strings"},
	{"a = \"\\uD800\"\n", 1, 6, "'\\u' escape is not a Unicode scalar value"},
	{"a = \"\\U00110000\"\n", 1, 6, "'\\U' escape is not a Unicode scalar value"},
	{"a = bare\n", 1, 5, "expected a value, found 'bare'; strings need quotes"},
	{"a = .5\n", 1, 5, "a number needs a digit before '.' (write 0.5, not .5)"},
	{"a = 1.\n", 1, 5, "a '.' in a number must be followed by digits"},
	{"a = 01\n", 1, 5, "leading zeros are not allowed in numbers ('01')"},
	{"a = 1__0\n", 1, 5, "'_' in a number must be between digits"},
	{"a = 1_\n", 1, 5, "'_' in a number must be between digits"},
	{"a = 1e\n", 1, 5, "invalid number '1e'"},
	{"a = 1.2.3\n", 1, 5, "invalid number '1.2.3'"},
	{"a = 9223372036854775808\n", 1, 5,
		"integer '9223372036854775808' does not fit in 64 bits"},
	{"a = -9223372036854775809\n", 1, 5,
		"integer '-9223372036854775809' does not fit in 64 bits"},
	{"a = 1e999\n", 1, 5, "float '1e999' is out of range"},
	{"a = [1 2]\n", 1, 8, "expected ',' or ']' in the array, found '2'"},
	{"a = [1,\n", 2, 1, "expected a value, found end of file"},
	{"a = {x = 1,}\n", 1, 12, "trailing comma in an inline table"},
	{"a = {x = 1\n", 1, 11, "inline tables must end on the line they start on; expected '}'"},
	{"a = {\nx = 1}\n", 1, 6,
		"inline tables must end on the line they start on; expected a key"},
	{"a = {x = 1 y = 2}\n", 1, 12, "expected ',' or '}' in the inline table, found 'y'"},
	{"[t\n", 1, 3, "expected ']' to close the table header, found end of line"},
	{"[[t]\n", 1, 5, "expected ']]' to close the table header, found end of line"},
	{"[]\n", 1, 2, "expected a key, found ']'"},
	{"[t] x = 1\n", 1, 5, "expected a newline after the table header, found 'x'"},
	{"= 1\n", 1, 1, "expected a key, found '='"},
	{"a.= 1\n", 1, 3, "expected a key, found '='"},
	{"a = true1\n", 1, 5, "expected a value, found 'true1'; strings need quotes"},
	{"k\xc3\xa9y = 1\n", 1, 2, "expected '=' after the key 'k', found '\xc3\xa9'"},
	{"a = 'x'\n  \xc3\xa9\xc3\xa9 = 1\n", 2, 3, "expected a key, found '\xc3\xa9'"},
	/* Bytes that are never allowed. */
	{"a = 1\nb = \"\x01\"\n", 2, 6, "control character U+0001 is not allowed"},
	{"a = 1\r\n\rb = 2\n", 2, 1, "carriage return not followed by a newline"},
	{"a = \"\xc3\x28\"\n", 1, 6, "invalid UTF-8 (byte 0xC3)"},
	{"a = \"\xed\xa0\x80\"\n", 1, 6, "invalid UTF-8 (byte 0xED)"},
	{"a = \"\xc0\xaf\"\n", 1, 6, "invalid UTF-8 (byte 0xC0)"},
	{"# \xff\n", 1, 3, "invalid UTF-8 (byte 0xFF)"},
};

static void test_errors(void)
{
	for (size_t k = 0; k < sizeof(errors) / sizeof(errors[0]); k++) {
		const struct error_case *c = &errors[k];
		struct toml_error err;
		struct toml_value *v = toml_parse(c->text, strlen(c->text), &err);
		if (v != NULL) {
			fprintf(stderr, "case %zu: parsed, expected %d:%d: %s\n", k, c->line,
				c->column, c->message);
			check_failures++;
			toml_value_destroy(v);
			continue;
		}
		if (err.pos.line != c->line || err.pos.column != c->column ||
			strcmp(err.message, c->message) != 0) {
			fprintf(stderr, "case %zu:\n  got      %d:%d: %s\n  expected %d:%d: %s\n",
				k, err.pos.line, err.pos.column, err.message, c->line, c->column,
				c->message);
			check_failures++;
		}
	}

	/* NUL bytes and sizes need the length, not strlen. */
	struct toml_error err;
	CHECK(toml_parse("a = 1\n\0", 7, &err) == NULL);
	CHECK_INT(err.pos.line, 2);
	CHECK_STR(err.message, "NUL byte in the file; is this a text file?");
	char *huge = calloc(1, TOML_MAX_INPUT + 1);
	CHECK(toml_parse(huge, TOML_MAX_INPUT + 1, &err) == NULL);
	CHECK_STR(err.message, "file is too large (1048577 bytes; at most 1048576)");
	free(huge);

	/* Key paths are bounded too. */
	char key[200] = "";
	for (int k = 0; k < 33; k++) {
		strcat(key, "k.");
	}
	strcat(key, "k = 1\n");
	CHECK(toml_parse(key, strlen(key), &err) == NULL);
	CHECK_STR(err.message, "key has too many parts (at most 32)");
}

int main(void)
{
	test_everything();
	test_numbers();
	test_tables();
	test_depth();
	test_errors();
	CHECK_STR(toml_type_name(TOML_FLOAT), "a float");
	return check_result("layout-toml");
}
