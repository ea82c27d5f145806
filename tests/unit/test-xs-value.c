/*
 * XenStore values as guests and the toolstack write them: strict numbers
 * with bounds, flags, XenBus states, unique-ids, and the sanitizing of
 * names guests choose. Each check accepts what it should and nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "protocol/xs_value.h"

static void test_u32(void)
{
	uint32_t v = 7;
	CHECK_INT(xs_value_parse_u32("0", UINT32_MAX, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(xs_value_parse_u32("4294967295", UINT32_MAX, &v), 0);
	CHECK(v == 4294967295u);
	CHECK_INT(xs_value_parse_u32("0001", UINT32_MAX, &v), 0);
	CHECK_INT(v, 1);
	v = 7;
	CHECK_INT(xs_value_parse_u32(NULL, UINT32_MAX, &v), -ENOENT);
	CHECK_INT(xs_value_parse_u32("4294967296", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(xs_value_parse_u32("99999999999", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(xs_value_parse_u32("", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(xs_value_parse_u32("-1", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(xs_value_parse_u32("+1", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(xs_value_parse_u32("12a", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(xs_value_parse_u32(" 1", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(xs_value_parse_u32("1 ", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(xs_value_parse_u32("0x10", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(xs_value_parse_u32("00000000001", UINT32_MAX, &v), -EINVAL);
	CHECK_INT(v, 7); // untouched by a failure

	/* Bounds: max itself passes, one more does not. */
	CHECK_INT(xs_value_parse_u32("65536", 65536, &v), 0);
	CHECK_INT(v, 65536);
	CHECK_INT(xs_value_parse_u32("65537", 65536, &v), -EINVAL);
	CHECK_INT(xs_value_parse_u32("0", 0, &v), 0);
	CHECK_INT(xs_value_parse_u32("1", 0, &v), -EINVAL);
}

static void test_flag(void)
{
	bool on = true;
	CHECK_INT(xs_value_parse_flag(NULL, &on), -ENOENT);
	CHECK(!on);
	CHECK_INT(xs_value_parse_flag("1", &on), 0);
	CHECK(on);
	CHECK_INT(xs_value_parse_flag("0", &on), 0);
	CHECK(!on);
	CHECK_INT(xs_value_parse_flag("2", &on), 0);
	CHECK(on);
	CHECK_INT(xs_value_parse_flag("yes", &on), -EINVAL);
	CHECK(!on);
	on = true;
	CHECK_INT(xs_value_parse_flag("", &on), -EINVAL);
	CHECK(!on);
}

static void test_state(void)
{
	CHECK_INT(xs_value_parse_state(NULL), XenbusStateUnknown);
	CHECK_INT(xs_value_parse_state("1"), XenbusStateInitialising);
	CHECK_INT(xs_value_parse_state("4"), XenbusStateConnected);
	CHECK_INT(xs_value_parse_state("8"), XenbusStateReconfigured);
	CHECK_INT(xs_value_parse_state("9"), XenbusStateUnknown);
	CHECK_INT(xs_value_parse_state("-1"), XenbusStateUnknown);
	CHECK_INT(xs_value_parse_state("4x"), XenbusStateUnknown);
	CHECK_INT(xs_value_parse_state(""), XenbusStateUnknown);
}

static void test_unique_id(void)
{
	const char *id = NULL;
	CHECK_INT(xs_value_check_unique_id(NULL, &id), -ENOENT);
	CHECK(id == NULL);
	CHECK_INT(xs_value_check_unique_id("", &id), 0);
	CHECK_STR(id, "");
	CHECK_INT(xs_value_check_unique_id("K:1;P:2;T:cluster", &id), 0);
	CHECK_STR(id, "K:1;P:2;T:cluster");
	static char longest[XS_VALUE_MAX_LEN + 2];
	memset(longest, 'a', XS_VALUE_MAX_LEN);
	CHECK_INT(xs_value_check_unique_id(longest, &id), 0);
	longest[XS_VALUE_MAX_LEN] = 'a';
	id = NULL;
	CHECK_INT(xs_value_check_unique_id(longest, &id), -EINVAL);
	CHECK(id == NULL);
}

static void test_sanitize(void)
{
	char out[16];
	xs_value_sanitize("cluster", out, sizeof(out));
	CHECK_STR(out, "cluster");
	xs_value_sanitize(NULL, out, sizeof(out));
	CHECK_STR(out, "");
	/* Control characters, DEL, escape sequences and UTF-8 bytes each become '?'. */
	xs_value_sanitize("a\tb\nc\x7f" "d\x1b[2Je\xc3\xa9", out, sizeof(out));
	CHECK_STR(out, "a?b?c?d?[2Je??");
	xs_value_sanitize(" ~", out, sizeof(out));
	CHECK_STR(out, " ~");
	/* Truncated, always terminated. */
	xs_value_sanitize("0123456789abcdefghij", out, sizeof(out));
	CHECK_STR(out, "0123456789abcde");
	xs_value_sanitize("xyz", out, 1);
	CHECK_STR(out, "");
	out[0] = 'q';
	xs_value_sanitize("xyz", out, 0); // nothing written
	CHECK(out[0] == 'q');
}

static void test_domain_name(void)
{
	char name[XS_VALUE_NAME_MAX + 1];
	xs_value_domain_name("infotainment", 3, name);
	CHECK_STR(name, "infotainment");
	xs_value_domain_name(NULL, 3, name);
	CHECK_STR(name, "domain-3");
	xs_value_domain_name("", 4294967295u, name);
	CHECK_STR(name, "domain-4294967295");
	xs_value_domain_name("\x01\x02", 5, name);
	CHECK_STR(name, "??");
	char long_name[200];
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	xs_value_domain_name(long_name, 6, name);
	CHECK_INT(strlen(name), XS_VALUE_NAME_MAX);
}

int main(void)
{
	test_u32();
	test_flag();
	test_state();
	test_unique_id();
	test_sanitize();
	test_domain_name();
	return check_result("xs-value");
}
