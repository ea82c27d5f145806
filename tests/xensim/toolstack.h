#ifndef XENSIM_TOOLSTACK_H
#define XENSIM_TOOLSTACK_H

/* Subcommands of the xensim executable; argv[0] is the subcommand's name. */
int toolstack_create(int argc, char **argv);
int toolstack_destroy(int argc, char **argv);
int tools_stats(int argc, char **argv);
int tools_ls(int argc, char **argv);
int tools_read(int argc, char **argv);
int tools_write(int argc, char **argv);
int tools_rm(int argc, char **argv);

#endif
