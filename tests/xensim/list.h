#ifndef XENSIM_LIST_H
#define XENSIM_LIST_H

#include <stdbool.h>
#include <stddef.h>

/* An intrusive doubly-linked list in the manner of wl_list. */
struct simlist {
	struct simlist *prev, *next;
};

#define simlist_entry(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

static inline void simlist_init(struct simlist *list) {
	list->prev = list->next = list;
}

static inline bool simlist_empty(const struct simlist *list) {
	return list->next == list;
}

/* Adds elm at the end of list. */
static inline void simlist_append(struct simlist *list, struct simlist *elm) {
	elm->prev = list->prev;
	elm->next = list;
	list->prev->next = elm;
	list->prev = elm;
}

static inline void simlist_remove(struct simlist *elm) {
	elm->prev->next = elm->next;
	elm->next->prev = elm->prev;
	elm->prev = elm->next = elm;
}

#define simlist_for_each(pos, head, type, member) \
	for (pos = simlist_entry((head)->next, type, member); &pos->member != (head); \
			pos = simlist_entry(pos->member.next, type, member))

/* The current element may be removed (not its successor). */
#define simlist_for_each_safe(pos, tmp, head, type, member) \
	for (pos = simlist_entry((head)->next, type, member), \
			tmp = simlist_entry(pos->member.next, type, member); \
			&pos->member != (head); \
			pos = tmp, tmp = simlist_entry(pos->member.next, type, member))

#endif
