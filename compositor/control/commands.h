#ifndef MOSAIC_COMPOSITOR_CONTROL_COMMANDS_H
#define MOSAIC_COMPOSITOR_CONTROL_COMMANDS_H

/*
 * The control requests (protocol/control.h has their wire format), one file
 * per group: queries.c, plug.c, switching.c, input.c, screenshots.c, waits.c,
 * events.c. argv[0] is the command's name; each replies through reply.
 */
struct control_reply;

typedef void (*command_func)(struct control_reply *reply, int argc, char **argv);

void command_outputs(struct control_reply *reply, int argc, char **argv);
void command_frame_times(struct control_reply *reply, int argc, char **argv);
void command_guests(struct control_reply *reply, int argc, char **argv);
void command_surfaces(struct control_reply *reply, int argc, char **argv);
void command_layouts(struct control_reply *reply, int argc, char **argv);
void command_inputs(struct control_reply *reply, int argc, char **argv);
void command_apps(struct control_reply *reply, int argc, char **argv);
void command_layout(struct control_reply *reply, int argc, char **argv);
void command_reload(struct control_reply *reply, int argc, char **argv);
void command_focus(struct control_reply *reply, int argc, char **argv);
void command_input(struct control_reply *reply, int argc, char **argv);
void command_screenshot(struct control_reply *reply, int argc, char **argv);
void command_wait_flip(struct control_reply *reply, int argc, char **argv);
void command_wait_frame(struct control_reply *reply, int argc, char **argv);
void command_output(struct control_reply *reply, int argc, char **argv);
void command_follow(struct control_reply *reply, int argc, char **argv);

#endif
