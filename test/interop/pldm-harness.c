/*
 * Differential harness: decodes PLDM messages with libpldm (../shared/peers/libpldm, built by
 * scripts/build-peers.sh) and re-encodes what it decoded with libpldm's encoders.
 * stdin: one message a line, hex, PLDM header first. stdout: one JSON line each,
 *   {"rc":N,"f":{field:value...},"enc":"hex"}  (rc is the decoder's return; f in our codec's
 *   field names; enc is libpldm's encoding of f, fixed part only, when rc is 0)
 *   {"none":1}  when libpldm has no decoder for that message.
 * Numbers are decimal, 64-bit ones as strings; byte fields are hex.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpldm/base.h>
#include <libpldm/oem/ibm/file_io.h>
#include <libpldm/oem/ibm/host.h>

static uint8_t in[70000];
static uint8_t enc_buf[70000];
static size_t enc_len;
static int nfields;

static void hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void key(const char *k)
{
	printf("%s\"%s\":", nfields++ ? "," : "", k);
}

static void fu(const char *k, unsigned long long v)
{
	key(k);
	printf("%llu", v);
}

static void fu64(const char *k, unsigned long long v)
{
	key(k);
	printf("\"%llu\"", v);
}

static void fhex(const char *k, const uint8_t *p, size_t n)
{
	key(k);
	printf("\"");
	hex(p, n);
	printf("\"");
}

#define ENC ((struct pldm_msg *)enc_buf)
/* libpldm's encoders write the header and the fixed part; their size is what we compare. */
#define ENCODED(call, payload)                                               \
	do {                                                                 \
		memset(enc_buf, 0, sizeof(enc_buf));                         \
		enc_len = (call) == 0 ? sizeof(struct pldm_msg_hdr) + (payload) : 0; \
	} while (0)

/* Returns the decoder's rc, or -1000 when libpldm has none for this message. */
static int decode(const uint8_t *b, size_t len)
{
	const struct pldm_msg *m = (const struct pldm_msg *)b;
	size_t pl = len - sizeof(struct pldm_msg_hdr);
	const uint8_t *p = b + sizeof(struct pldm_msg_hdr);
	int req = (b[0] & 0x80) != 0, type = b[1] & 0x3f, cmd = b[2];
	uint8_t iid = b[0] & 0x1f, cc = 0, u8a = 0, u8b = 0, u8c = 0;
	uint16_t ft = 0;
	uint32_t a = 0, c = 0, d = 0, e = 0, g = 0, h = 0;
	uint64_t q = 0;
	size_t off = 0, n = 0;
	int rc;

#define CC() fu("completionCode", cc)
	if (type == PLDM_BASE) {
		switch (cmd * 2 + req) {
		case PLDM_SET_TID * 2 + 1:
			rc = decode_set_tid_req(m, pl, &u8a);
			if (!rc) { fu("tid", u8a); ENCODED(encode_set_tid_req(iid, u8a, ENC), PLDM_SET_TID_REQ_BYTES); }
			return rc;
		case PLDM_GET_TID * 2: {
			struct pldm_base_get_tid_resp r = { 0 };
			size_t sz = PLDM_BASE_GET_TID_RESP_BYTES;
			rc = decode_pldm_base_get_tid_resp(m, pl, &r);
			if (!rc) { cc = r.completion_code; CC(); if (!cc) fu("tid", r.tid); ENCODED(encode_pldm_base_get_tid_resp(iid, &r, ENC, &sz), sz); }
			return rc;
		}
		case PLDM_GET_PLDM_VERSION * 2 + 1:
			rc = decode_get_version_req(m, pl, &a, &u8a, &u8b);
			if (!rc) { fu("transferHandle", a); fu("transferOperationFlag", u8a); fu("pldmType", u8b);
				ENCODED(encode_get_version_req(iid, a, u8a, u8b, ENC), PLDM_GET_VERSION_REQ_BYTES); }
			return rc;
		case PLDM_GET_PLDM_VERSION * 2: {
			ver32_t v = { 0 };
			rc = decode_get_version_resp(m, pl, &cc, &a, &u8a, &v);
			if (!rc) { CC(); if (!cc) { fu("nextTransferHandle", a); fu("transferFlag", u8a); fhex("version", (uint8_t *)&v, 4); }
				ENCODED(encode_get_version_resp(iid, cc, a, u8a, &v, sizeof(v), ENC), cc ? 1 : PLDM_GET_VERSION_RESP_BYTES); }
			return rc;
		}
		case PLDM_GET_PLDM_TYPES * 2: {
			struct pldm_base_get_pldm_types_resp r = { 0 };
			size_t sz = PLDM_BASE_GET_PLDM_TYPES_RESP_BYTES;
			rc = decode_pldm_base_get_pldm_types_resp(m, pl, &r);
			if (!rc) { cc = r.completion_code; CC(); if (!cc) fhex("types", (uint8_t *)r.pldm_types, 8);
				ENCODED(encode_pldm_base_get_pldm_types_resp(iid, &r, ENC, &sz), sz); }
			return rc;
		}
		case PLDM_GET_PLDM_COMMANDS * 2 + 1: {
			ver32_t v = { 0 };
			rc = decode_get_commands_req(m, pl, &u8a, &v);
			if (!rc) { fu("pldmType", u8a); fhex("version", (uint8_t *)&v, 4); ENCODED(encode_get_commands_req(iid, u8a, v, ENC), PLDM_GET_COMMANDS_REQ_BYTES); }
			return rc;
		}
		case PLDM_GET_PLDM_COMMANDS * 2: {
			bitfield8_t cmds[32] = { 0 };
			rc = decode_get_commands_resp(m, pl, &cc, cmds);
			if (!rc) { CC(); if (!cc) fhex("commands", (uint8_t *)cmds, 32);
				ENCODED(encode_get_commands_resp(iid, cc, cmds, ENC), cc ? 1 : PLDM_GET_COMMANDS_RESP_BYTES); }
			return rc;
		}
		}
		return -1000;
	}
	if (type != PLDM_OEM)
		return -1000;
	switch (cmd * 2 + req) {
	case PLDM_GET_FILE_TABLE * 2 + 1:
		rc = decode_get_file_table_req(m, pl, &a, &u8a, &u8b);
		if (!rc) { fu("transferHandle", a); fu("transferOperationFlag", u8a); fu("tableType", u8b);
			ENCODED(encode_get_file_table_req(iid, a, u8a, u8b, ENC), PLDM_GET_FILE_TABLE_REQ_BYTES); }
		return rc;
	case PLDM_GET_FILE_TABLE * 2:
		rc = decode_get_file_table_resp(m, pl, &cc, &a, &u8a, &u8b, &n);
		if (!rc) { CC(); if (!cc) { fu("nextTransferHandle", a); fu("transferFlag", u8a); fhex("table", p + u8b, n); } }
		return rc;
	case PLDM_READ_FILE * 2 + 1:
		rc = decode_read_file_req(m, pl, &a, &c, &d);
		if (!rc) { fu("fileHandle", a); fu("offset", c); fu("length", d); ENCODED(encode_read_file_req(iid, a, c, d, ENC), PLDM_READ_FILE_REQ_BYTES); }
		return rc;
	case PLDM_READ_FILE * 2:
		rc = decode_read_file_resp(m, pl, &cc, &a, &off);
		if (!rc) { CC(); if (!cc) fu("length", a); if (!cc) fhex("data", p + off, pl - off); ENCODED(encode_read_file_resp(iid, cc, a, ENC), PLDM_READ_FILE_RESP_BYTES); }
		return rc;
	case PLDM_WRITE_FILE * 2 + 1:
		rc = decode_write_file_req(m, pl, &a, &c, &d, &off);
		if (!rc) { fu("fileHandle", a); fu("offset", c); fu("length", d); fhex("data", p + off, pl - off);
			ENCODED(encode_write_file_req(iid, a, c, d, ENC), PLDM_WRITE_FILE_REQ_BYTES); }
		return rc;
	case PLDM_WRITE_FILE * 2:
		rc = decode_write_file_resp(m, pl, &cc, &a);
		if (!rc) { CC(); if (!cc) fu("length", a); ENCODED(encode_write_file_resp(iid, cc, a, ENC), PLDM_WRITE_FILE_RESP_BYTES); }
		return rc;
	case PLDM_READ_FILE_INTO_MEMORY * 2 + 1:
	case PLDM_WRITE_FILE_FROM_MEMORY * 2 + 1:
		rc = decode_rw_file_memory_req(m, pl, &a, &c, &d, &q);
		if (!rc) { fu("fileHandle", a); fu("offset", c); fu("length", d); fu64("address", q);
			ENCODED(encode_rw_file_memory_req(iid, cmd, a, c, d, q, ENC), PLDM_RW_FILE_MEM_REQ_BYTES); }
		return rc;
	case PLDM_READ_FILE_INTO_MEMORY * 2:
	case PLDM_WRITE_FILE_FROM_MEMORY * 2:
		rc = decode_rw_file_memory_resp(m, pl, &cc, &a);
		if (!rc) { CC(); if (!cc) fu("length", a); ENCODED(encode_rw_file_memory_resp(iid, cmd, cc, a, ENC), PLDM_RW_FILE_MEM_RESP_BYTES); }
		return rc;
	case PLDM_READ_FILE_BY_TYPE_INTO_MEMORY * 2 + 1:
	case PLDM_WRITE_FILE_BY_TYPE_FROM_MEMORY * 2 + 1:
		rc = decode_rw_file_by_type_memory_req(m, pl, &ft, &a, &c, &d, &q);
		if (!rc) { fu("fileType", ft); fu("fileHandle", a); fu("offset", c); fu("length", d); fu64("address", q);
			ENCODED(encode_rw_file_by_type_memory_req(iid, cmd, ft, a, c, d, q, ENC), PLDM_RW_FILE_BY_TYPE_MEM_REQ_BYTES); }
		return rc;
	case PLDM_READ_FILE_BY_TYPE_INTO_MEMORY * 2:
	case PLDM_WRITE_FILE_BY_TYPE_FROM_MEMORY * 2:
		rc = decode_rw_file_by_type_memory_resp(m, pl, &cc, &a);
		if (!rc) { CC(); if (!cc) fu("length", a); ENCODED(encode_rw_file_by_type_memory_resp(iid, cmd, cc, a, ENC), PLDM_RW_FILE_BY_TYPE_MEM_RESP_BYTES); }
		return rc;
	case PLDM_NEW_FILE_AVAILABLE * 2 + 1:
		rc = decode_new_file_req(m, pl, &ft, &a, &q);
		if (!rc) { fu("fileType", ft); fu("fileHandle", a); fu64("length", q); ENCODED(encode_new_file_req(iid, ft, a, q, ENC), PLDM_NEW_FILE_REQ_BYTES); }
		return rc;
	case PLDM_NEW_FILE_AVAILABLE * 2:
		rc = decode_new_file_resp(m, pl, &cc);
		if (!rc) { CC(); ENCODED(encode_new_file_resp(iid, cc, ENC), PLDM_NEW_FILE_RESP_BYTES); }
		return rc;
	case PLDM_READ_FILE_BY_TYPE * 2 + 1:
	case PLDM_WRITE_FILE_BY_TYPE * 2 + 1:
		rc = decode_rw_file_by_type_req(m, pl, &ft, &a, &c, &d);
		if (!rc) { fu("fileType", ft); fu("fileHandle", a); fu("offset", c); fu("length", d);
			ENCODED(encode_rw_file_by_type_req(iid, cmd, ft, a, c, d, ENC), PLDM_RW_FILE_BY_TYPE_REQ_BYTES); }
		return rc;
	case PLDM_READ_FILE_BY_TYPE * 2:
	case PLDM_WRITE_FILE_BY_TYPE * 2:
		rc = decode_rw_file_by_type_resp(m, pl, &cc, &a);
		if (!rc) { CC(); if (!cc) fu("length", a); ENCODED(encode_rw_file_by_type_resp(iid, cmd, cc, a, ENC), PLDM_RW_FILE_BY_TYPE_RESP_BYTES); }
		return rc;
	case PLDM_FILE_ACK * 2 + 1:
		rc = decode_file_ack_req(m, pl, &ft, &a, &u8a);
		if (!rc) { fu("fileType", ft); fu("fileHandle", a); fu("fileStatus", u8a); ENCODED(encode_file_ack_req(iid, ft, a, u8a, ENC), PLDM_FILE_ACK_REQ_BYTES); }
		return rc;
	case PLDM_FILE_ACK * 2:
		rc = decode_file_ack_resp(m, pl, &cc);
		if (!rc) { CC(); ENCODED(encode_file_ack_resp(iid, cc, ENC), PLDM_FILE_ACK_RESP_BYTES); }
		return rc;
	case PLDM_NEW_FILE_AVAILABLE_WITH_META_DATA * 2 + 1:
		rc = decode_new_file_with_metadata_req(m, pl, &ft, &a, &q, &e, &g, &h, &c);
		if (!rc) { fu("fileType", ft); fu("fileHandle", a); fu64("length", q); fu("metadata1", e); fu("metadata2", g); fu("metadata3", h); fu("metadata4", c);
			ENCODED(encode_new_file_with_metadata_req(iid, ft, a, q, e, g, h, c, ENC), PLDM_NEW_FILE_AVAILABLE_WITH_META_DATA_REQ_BYTES); }
		return rc;
	case PLDM_NEW_FILE_AVAILABLE_WITH_META_DATA * 2:
		rc = decode_new_file_with_metadata_resp(m, pl, &cc);
		if (!rc) { CC(); ENCODED(encode_new_file_with_metadata_resp(iid, cc, ENC), PLDM_NEW_FILE_AVAILABLE_WITH_META_DATA_RESP_BYTES); }
		return rc;
	case PLDM_FILE_ACK_WITH_META_DATA * 2 + 1:
		rc = decode_file_ack_with_meta_data_req(m, pl, &ft, &a, &u8a, &e, &g, &h, &c);
		if (!rc) { fu("fileType", ft); fu("fileHandle", a); fu("fileStatus", u8a); fu("metadata1", e); fu("metadata2", g); fu("metadata3", h); fu("metadata4", c);
			ENCODED(encode_file_ack_with_meta_data_req(iid, ft, a, u8a, e, g, h, c, ENC), PLDM_FILE_ACK_WITH_META_DATA_REQ_BYTES); }
		return rc;
	case PLDM_FILE_ACK_WITH_META_DATA * 2:
		rc = decode_file_ack_with_meta_data_resp(m, pl, &cc);
		if (!rc) { CC(); ENCODED(encode_file_ack_with_meta_data_resp(iid, cc, ENC), PLDM_FILE_ACK_WITH_META_DATA_RESP_BYTES); }
		return rc;
	case PLDM_HOST_GET_ALERT_STATUS * 2 + 1:
		rc = decode_get_alert_status_req(m, pl, &u8a);
		if (!rc) { fu("versionId", u8a); ENCODED(encode_get_alert_status_req(iid, u8a, ENC, PLDM_GET_ALERT_STATUS_REQ_BYTES), PLDM_GET_ALERT_STATUS_REQ_BYTES); }
		return rc;
	case PLDM_HOST_GET_ALERT_STATUS * 2:
		rc = decode_get_alert_status_resp(m, pl, &cc, &a, &c);
		if (!rc) { CC(); if (!cc) { fu("rackEntry", a); fu("priCecNode", c); } }
		return rc;
	}
	(void)u8c;
	return -1000;
}

int main(void)
{
	static char line[140016];
	while (fgets(line, sizeof(line), stdin)) {
		size_t len = 0;
		if (!strncmp(line, "sizes", 5)) {
			/* The fixed payload sizes libpldm checks against, for the test to pin ours to. */
			printf("{\"SetTID\":[%d,%d],\"GetTID\":[%d,%d],\"GetPLDMVersion\":[%d,%d],\"GetPLDMTypes\":[%d,%d],"
			       "\"GetPLDMCommands\":[%d,%d],\"GetFileTable\":[%d,%d],\"ReadFile\":[%d,%d],\"WriteFile\":[%d,%d],"
			       "\"ReadFileIntoMemory\":[%d,%d],\"ReadFileByTypeIntoMemory\":[%d,%d],\"NewFileAvailable\":[%d,%d],"
			       "\"ReadFileByType\":[%d,%d],\"FileAck\":[%d,%d],\"NewFileAvailableWithMetaData\":[%d,%d],"
			       "\"FileAckWithMetaData\":[%d,%d],\"GetAlertStatus\":[%d,%d]}\n",
			       PLDM_SET_TID_REQ_BYTES, PLDM_SET_TID_RESP_BYTES, PLDM_GET_TID_REQ_BYTES, PLDM_BASE_GET_TID_RESP_BYTES,
			       PLDM_GET_VERSION_REQ_BYTES, PLDM_GET_VERSION_RESP_BYTES, PLDM_GET_TYPES_REQ_BYTES,
			       PLDM_BASE_GET_PLDM_TYPES_RESP_BYTES, PLDM_GET_COMMANDS_REQ_BYTES, PLDM_GET_COMMANDS_RESP_BYTES,
			       PLDM_GET_FILE_TABLE_REQ_BYTES, PLDM_GET_FILE_TABLE_MIN_RESP_BYTES, PLDM_READ_FILE_REQ_BYTES,
			       PLDM_READ_FILE_RESP_BYTES, PLDM_WRITE_FILE_REQ_BYTES, PLDM_WRITE_FILE_RESP_BYTES,
			       PLDM_RW_FILE_MEM_REQ_BYTES, PLDM_RW_FILE_MEM_RESP_BYTES, PLDM_RW_FILE_BY_TYPE_MEM_REQ_BYTES,
			       PLDM_RW_FILE_BY_TYPE_MEM_RESP_BYTES, PLDM_NEW_FILE_REQ_BYTES, PLDM_NEW_FILE_RESP_BYTES,
			       PLDM_RW_FILE_BY_TYPE_REQ_BYTES, PLDM_RW_FILE_BY_TYPE_RESP_BYTES, PLDM_FILE_ACK_REQ_BYTES,
			       PLDM_FILE_ACK_RESP_BYTES, PLDM_NEW_FILE_AVAILABLE_WITH_META_DATA_REQ_BYTES,
			       PLDM_NEW_FILE_AVAILABLE_WITH_META_DATA_RESP_BYTES, PLDM_FILE_ACK_WITH_META_DATA_REQ_BYTES,
			       PLDM_FILE_ACK_WITH_META_DATA_RESP_BYTES, PLDM_GET_ALERT_STATUS_REQ_BYTES,
			       (int)sizeof(struct pldm_get_alert_status_resp));
			fflush(stdout);
			continue;
		}
		for (char *s = line; s[0] && s[1] && s[0] != '\n'; s += 2) {
			unsigned v;
			if (sscanf(s, "%2x", &v) != 1)
				break;
			in[len++] = (uint8_t)v;
		}
		if (len < sizeof(struct pldm_msg_hdr)) {
			printf("{\"none\":1}\n");
			continue;
		}
		/* Bytes past the message are poisoned, so a decoder that reads beyond payload_length reads 0xA5. */
		memset(in + len, 0xa5, 64);
		nfields = 0;
		enc_len = 0;
		printf("{\"f\":{");
		int rc = decode(in, len);
		printf("},\"rc\":%d,\"enc\":\"", rc);
		hex(enc_buf, enc_len);
		printf("\"}\n");
		fflush(stdout);
	}
	return 0;
}
