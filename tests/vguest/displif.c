#include "displif.h"

const char *displif_op_name(uint8_t operation)
{
	switch (operation) {
	case XENDISPL_OP_DBUF_CREATE:
		return "DBUF_CREATE";
	case XENDISPL_OP_DBUF_DESTROY:
		return "DBUF_DESTROY";
	case XENDISPL_OP_FB_ATTACH:
		return "FB_ATTACH";
	case XENDISPL_OP_FB_DETACH:
		return "FB_DETACH";
	case XENDISPL_OP_SET_CONFIG:
		return "SET_CONFIG";
	case XENDISPL_OP_PG_FLIP:
		return "PG_FLIP";
	case XENDISPL_OP_GET_EDID:
		return "GET_EDID";
	default:
		return "unknown";
	}
}
