// SPDX-License-Identifier: GPL-2.0-only
/*
 * spdmctl: helpers the commands share (messages, command-line values,
 * JSON output, netlink attributes, files)
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "spdmctl.h"

bool json_out;
bool json_pretty;

/**
 * err_msg() - print "spdmctl: " and a message on stderr
 * @fmt: printf format
 */
void err_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("spdmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/**
 * usage_err() - complain about the command line
 * @fmt: printf format with one %s
 * @arg: its argument
 *
 * Return: EXIT_USAGE.
 */
int usage_err(const char *fmt, const char *arg)
{
	fputs("spdmctl: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'spdmctl --help'.\n", stderr);
	return EXIT_USAGE;
}

/**
 * parse_uint() - parse an unsigned number (decimal, 0x hex or 0 octal)
 * @s: the text
 * @max: the largest value allowed
 * @val: the value
 *
 * Return: 0, or -1 if @s is not a number up to @max.
 */
int parse_uint(const char *s, unsigned long max, unsigned long *val)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*val = strtoul(s, &end, 0);
	if (errno || *end || *val > max)
		return -1;
	return 0;
}

/**
 * parse_hex() - parse exactly @len bytes of hexadecimal digits
 * @s: the text, 2 * @len digits
 * @out: the bytes
 * @len: how many
 *
 * Return: 0, or -1 if @s is anything else.
 */
int parse_hex(const char *s, uint8_t *out, size_t len)
{
	size_t i;

	if (strlen(s) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned int byte;
		char pair[3] = { s[2 * i], s[2 * i + 1], 0 };

		if (!isxdigit((unsigned char)pair[0]) ||
		    !isxdigit((unsigned char)pair[1]) ||
		    sscanf(pair, "%2x", &byte) != 1)
			return -1;
		out[i] = byte;
	}
	return 0;
}

/**
 * hex_str() - bytes as lower-case hexadecimal digits
 * @buf: the bytes
 * @len: how many
 *
 * Return: a string to free(), or NULL if out of memory.
 */
char *hex_str(const uint8_t *buf, size_t len)
{
	char *s = malloc(2 * len + 1);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < len; i++)
		sprintf(s + 2 * i, "%02x", buf[i]);
	s[2 * len] = '\0';
	return s;
}

/**
 * json_print() - print a JSON value on a line of stdout, indented with -p
 * @obj: the value
 */
void json_print(struct json_object *obj)
{
	int flags = json_pretty ? JSON_C_TO_STRING_PRETTY |
				  JSON_C_TO_STRING_SPACED :
				  JSON_C_TO_STRING_PLAIN;

	puts(json_object_to_json_string_ext(obj, flags | JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
}

/**
 * json_add_str() - add a string member
 * @o: the object
 * @key: the member's name
 * @val: its value
 */
void json_add_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val));
}

/**
 * json_add_int() - add an integer member
 * @o: the object
 * @key: the member's name
 * @val: its value
 */
void json_add_int(struct json_object *o, const char *key, int64_t val)
{
	json_object_object_add(o, key, json_object_new_int64(val));
}

/**
 * json_add_hex() - add bytes as a string of hexadecimal digits
 * @o: the object
 * @key: the member's name
 * @buf: the bytes
 * @len: how many
 */
void json_add_hex(struct json_object *o, const char *key, const uint8_t *buf,
		  size_t len)
{
	char *s = hex_str(buf, len);

	if (s)
		json_add_str(o, key, s);
	free(s);
}

/**
 * attr_str() - a string attribute
 * @a: the attribute, or NULL
 *
 * Return: the string, or NULL if @a is absent or malformed.
 */
const char *attr_str(const struct nlattr *a)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return NULL;
	return mnl_attr_get_str(a);
}

/**
 * attr_u8() - a u8 attribute
 * @a: the attribute, or NULL
 *
 * Return: its value, or -1 if @a is absent or malformed.
 */
int attr_u8(const struct nlattr *a)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return -1;
	return mnl_attr_get_u8(a);
}

/**
 * attr_u32() - a u32 attribute
 * @a: the attribute, or NULL
 *
 * Return: its value, or -1 if @a is absent or malformed.
 */
int64_t attr_u32(const struct nlattr *a)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return -1;
	return mnl_attr_get_u32(a);
}

/**
 * nl_fail() - report a failed request with the kernel's reason
 * @nl: the connection the request failed on
 * @what: what was asked for
 * @dev: the device it was asked of, or NULL
 *
 * Return: EXIT_FAIL.
 */
int nl_fail(struct nl *nl, const char *what, const char *dev)
{
	char buf[512];

	if (dev)
		err_msg("%s %s: %s", what, dev, nl_strerror(nl, buf, sizeof(buf)));
	else
		err_msg("%s: %s", what, nl_strerror(nl, buf, sizeof(buf)));
	return EXIT_FAIL;
}

/**
 * get_slot() - parse the argument of --slot
 * @arg: the argument, or NULL if there was none
 * @slot: the slot, marked as set
 *
 * Return: 0, or EXIT_USAGE after a message.
 */
int get_slot(const char *arg, struct opt_slot *slot)
{
	if (!arg || parse_uint(arg, SPDM_MAX_SLOT, &slot->val) < 0)
		return usage_err("--slot takes a slot number from 0 to 7, not '%s'",
				 arg ? arg : "nothing");
	slot->set = true;
	return 0;
}

/**
 * write_out() - write a file through a temporary file renamed into place
 * @path: the file, or NULL for stdout
 * @buf: what to write
 * @len: its length
 *
 * Return: 0, or -1 after a message.
 */
int write_out(const char *path, const void *buf, size_t len)
{
	char tmp[PATH_MAX];
	FILE *f = stdout;

	if (path) {
		if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >=
		    (int)sizeof(tmp)) {
			err_msg("%s: name too long", path);
			return -1;
		}
		int fd = mkstemp(tmp);

		if (fd < 0 || !(f = fdopen(fd, "wb"))) {
			err_msg("%s: %s", path, strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(tmp);
			}
			return -1;
		}
		fchmod(fd, 0644);
	}
	if (fwrite(buf, 1, len, f) != len || fflush(f)) {
		err_msg("%s: %s", path ?: "stdout", strerror(errno));
		if (path) {
			fclose(f);
			unlink(tmp);
		}
		return -1;
	}
	if (path) {
		if (fclose(f) || rename(tmp, path)) {
			err_msg("%s: %s", path, strerror(errno));
			unlink(tmp);
			return -1;
		}
	}
	return 0;
}
