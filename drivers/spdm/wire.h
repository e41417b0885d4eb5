/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SPDM wire codec: message layouts, encoders and bounds-checked decoders
 * (DMTF DSP0274 1.0 to 1.3).
 *
 * Nothing here allocates memory or uses kernel services beyond types,
 * endianness and string helpers, so that wire.c also builds in a userspace
 * fuzz harness.  Every decoder treats its input as hostile: it checks the
 * length before reading any field, never trusts a length or count from the
 * message, and returns the number of bytes the message occupies, or
 * -EBADMSG (truncated or inconsistent length) or -EPROTO (invalid value).
 */
#ifndef _SPDM_WIRE_H_
#define _SPDM_WIRE_H_

#include <linux/bits.h>
#include <linux/types.h>

/* SPDMVersion byte (DSP0274 6.4) */
#define SPDM_VER_10		0x10
#define SPDM_VER_11		0x11
#define SPDM_VER_12		0x12
#define SPDM_VER_13		0x13

/* Request codes (DSP0274 Table 4) */
#define SPDM_GET_DIGESTS		0x81
#define SPDM_GET_CERTIFICATE		0x82
#define SPDM_CHALLENGE			0x83
#define SPDM_GET_VERSION		0x84
#define SPDM_GET_MEASUREMENTS		0xe0
#define SPDM_GET_CAPABILITIES		0xe1
#define SPDM_NEGOTIATE_ALGORITHMS	0xe3
#define SPDM_GET_MEASUREMENT_EXTENSION_LOG 0xef	/* 1.3 */
#define SPDM_RESPOND_IF_READY		0xff

/* Response codes (DSP0274 Table 5) */
#define SPDM_DIGESTS			0x01
#define SPDM_CERTIFICATE		0x02
#define SPDM_CHALLENGE_AUTH		0x03
#define SPDM_VERSION			0x04
#define SPDM_MEASUREMENTS		0x60
#define SPDM_CAPABILITIES		0x61
#define SPDM_ALGORITHMS			0x63
#define SPDM_MEASUREMENT_EXTENSION_LOG	0x6f	/* 1.3 */
#define SPDM_ERROR			0x7f

/* ERROR codes (DSP0274 Table 48) */
#define SPDM_ERR_INVALID_REQUEST	0x01
#define SPDM_ERR_INVALID_SESSION	0x02
#define SPDM_ERR_BUSY			0x03
#define SPDM_ERR_UNEXPECTED_REQUEST	0x04
#define SPDM_ERR_UNSPECIFIED		0x05
#define SPDM_ERR_DECRYPT_ERROR		0x06
#define SPDM_ERR_UNSUPPORTED_REQUEST	0x07
#define SPDM_ERR_REQUEST_IN_FLIGHT	0x08
#define SPDM_ERR_INVALID_RESPONSE_CODE	0x09
#define SPDM_ERR_SESSION_LIMIT		0x0a
#define SPDM_ERR_SESSION_REQUIRED	0x0b
#define SPDM_ERR_RESET_REQUIRED		0x0c
#define SPDM_ERR_RESPONSE_TOO_LARGE	0x0d
#define SPDM_ERR_REQUEST_TOO_LARGE	0x0e
#define SPDM_ERR_LARGE_RESPONSE		0x0f
#define SPDM_ERR_MESSAGE_LOST		0x10
#define SPDM_ERR_INVALID_POLICY		0x11
#define SPDM_ERR_VERSION_MISMATCH	0x41
#define SPDM_ERR_RESPONSE_NOT_READY	0x42
#define SPDM_ERR_REQUEST_RESYNCH	0x43
#define SPDM_ERR_OPERATION_FAILED	0x44
#define SPDM_ERR_NO_PENDING_REQUESTS	0x45
#define SPDM_ERR_VENDOR			0xff

/* Capability flags (DSP0274 Tables 11 and 12) */
#define SPDM_CAP_CACHE		BIT(0)
#define SPDM_CAP_CERT		BIT(1)
#define SPDM_CAP_CHAL		BIT(2)
#define SPDM_CAP_MEAS_NOSIG	BIT(3)
#define SPDM_CAP_MEAS_SIG	BIT(4)
#define SPDM_CAP_MEAS_FRESH	BIT(5)
#define SPDM_CAP_ENCRYPT	BIT(6)
#define SPDM_CAP_MAC		BIT(7)
#define SPDM_CAP_MUT_AUTH	BIT(8)
#define SPDM_CAP_KEY_EX		BIT(9)
#define SPDM_CAP_PSK		BIT(10)
#define SPDM_CAP_PSK_CTX	BIT(11)
#define SPDM_CAP_ENCAP		BIT(12)
#define SPDM_CAP_HBEAT		BIT(13)
#define SPDM_CAP_KEY_UPD	BIT(14)
#define SPDM_CAP_HANDSHAKE_CLEAR BIT(15)
#define SPDM_CAP_PUB_KEY_ID	BIT(16)
#define SPDM_CAP_CHUNK		BIT(17)
#define SPDM_CAP_ALIAS_CERT	BIT(18)
#define SPDM_CAP_SET_CERT	BIT(19)
#define SPDM_CAP_CSR		BIT(20)
#define SPDM_CAP_CERT_INSTALL_RESET BIT(21)
#define SPDM_CAP_EP_INFO	BIT(22)
#define SPDM_CAP_EP_INFO_SIG	BIT(23)
#define SPDM_CAP_MEL		BIT(24)
#define SPDM_CAP_EVENT		BIT(25)
#define SPDM_CAP_MULTI_KEY	BIT(26)
#define SPDM_CAP_MULTI_KEY_NEG	BIT(27)
#define SPDM_CAP_GET_KEY_PAIR_INFO BIT(28)
#define SPDM_CAP_SET_KEY_PAIR_INFO BIT(29)

/* BaseAsymAlgo (DSP0274 Table 15) */
#define SPDM_ASYM_RSASSA_2048	BIT(0)
#define SPDM_ASYM_RSAPSS_2048	BIT(1)
#define SPDM_ASYM_RSASSA_3072	BIT(2)
#define SPDM_ASYM_RSAPSS_3072	BIT(3)
#define SPDM_ASYM_ECDSA_P256	BIT(4)
#define SPDM_ASYM_RSASSA_4096	BIT(5)
#define SPDM_ASYM_RSAPSS_4096	BIT(6)
#define SPDM_ASYM_ECDSA_P384	BIT(7)
#define SPDM_ASYM_ECDSA_P521	BIT(8)
#define SPDM_ASYM_SM2_P256	BIT(9)
#define SPDM_ASYM_EDDSA_25519	BIT(10)
#define SPDM_ASYM_EDDSA_448	BIT(11)

/* BaseHashAlgo (DSP0274 Table 15) */
#define SPDM_HASH_SHA256	BIT(0)
#define SPDM_HASH_SHA384	BIT(1)
#define SPDM_HASH_SHA512	BIT(2)
#define SPDM_HASH_SHA3_256	BIT(3)
#define SPDM_HASH_SHA3_384	BIT(4)
#define SPDM_HASH_SHA3_512	BIT(5)
#define SPDM_HASH_SM3_256	BIT(6)

/* MeasurementSpecification (DSP0274 Table 15) */
#define SPDM_MEAS_SPEC_DMTF	BIT(0)

/*
 * MeasurementHashAlgo (DSP0274 Table 15): bit 0 is "raw bit stream only",
 * bits 1 to 6 are the hashes of BaseHashAlgo bits 0 to 5
 */
#define SPDM_MEAS_HASH_RAW	BIT(0)

#define SPDM_HDR_SIZE		4
#define SPDM_MIN_DATA_TRANSFER	42	/* DSP0274 1.2 10.4 */
#define SPDM_MAX_OPAQUE		1024	/* DSP0274 10.8, OpaqueLength */
#define SPDM_MAX_CHAIN_LEN	0xffff	/* Length field of the chain */
#define SPDM_MAX_HASH_SIZE	64
#define SPDM_MAX_SIG_SIZE	512	/* RSA-4096 */
#define SPDM_CERT_RSP_HDR_SIZE	8	/* CERTIFICATE before the portion */
#define SPDM_CHAIN_HDR_SIZE	4	/* Length, Reserved before RootHash */
#define SPDM_PREFIX_SIZE	100	/* combined_spdm_prefix, DSP0274 1.2 15 */

/*
 * GET_MEASUREMENTS and MEASUREMENTS (DSP0274 1.3 10.11).  The nonce and
 * context sizes repeat <linux/spdm.h>, which the fuzz harness does not have.
 */
#define SPDM_NONCE_SIZE		32
#define SPDM_REQ_CONTEXT_SIZE	8

/* Param1, Table "GET_MEASUREMENTS request attributes" */
#define SPDM_MEAS_REQ_SIG	BIT(0)	/* SignatureRequested */
#define SPDM_MEAS_REQ_RAW	BIT(1)	/* RawBitStreamRequested, 1.2+ */
#define SPDM_MEAS_REQ_NEW	BIT(2)	/* NewMeasurementRequested, 1.3+ */

/* Param2, MeasurementOperation; 0x01..0xfe ask for that one index */
#define SPDM_MEAS_OP_COUNT	0x00	/* TotalNumberOfMeasurementIndices */
#define SPDM_MEAS_OP_ALL	0xff	/* all measurement blocks */

/* MEASUREMENTS Param2: slot (1.1+) and ContentChanged (1.2+), when signed */
#define SPDM_MEAS_RSP_SLOT	GENMASK(3, 0)
#define SPDM_MEAS_RSP_CHANGED	GENMASK(5, 4)
#define SPDM_MEAS_CHANGED_UNKNOWN 0x00	/* detection not supported */
#define SPDM_MEAS_CHANGED_YES	0x10	/* the signed log changed */
#define SPDM_MEAS_CHANGED_NO	0x20	/* no change detected */

#define SPDM_MEAS_RSP_HDR_SIZE	8	/* header, NumberOfBlocks, RecordLength */
#define SPDM_MEAS_BLOCK_HDR_SIZE 4	/* Index, Specification, Size */
#define SPDM_MEAS_DMTF_HDR_SIZE	3	/* ValueType, ValueSize */
#define SPDM_MAX_MEAS_RECORD	0xffffff	/* MeasurementRecordLength */

/* Measurement index assignments (1.2+, 10.11.1) */
#define SPDM_MEAS_INDEX_MANIFEST 0xfd	/* measurement manifest */
#define SPDM_MEAS_INDEX_DEVICE_MODE 0xfe	/* structured device mode */

/*
 * DMTFSpecMeasurementValueType (10.11.1.1, Table "DMTF measurement
 * specification format"): bit 7 selects the representation, bits 6:0 say
 * what is measured.  Names as in the table:
 *   0x00 Immutable ROM                 0x06 Mutable firmware's version number
 *   0x01 Mutable firmware              0x07 Mutable firmware's security
 *   0x02 Hardware configuration             version number
 *   0x03 Firmware configuration        0x08 Hash-extended measurement (1.3)
 *   0x04 Freeform measurement manifest 0x09 Informational (1.3)
 *   0x05 Structured representation of  0x0a Structured measurement manifest
 *        debug and device mode              (1.3)
 * Other values are reserved.
 */
#define SPDM_MEAS_TYPE_RAW		BIT(7)	/* 1: raw bit stream, 0: digest */
#define SPDM_MEAS_TYPE_MASK		GENMASK(6, 0)
#define SPDM_MEAS_TYPE_ROM		0x00
#define SPDM_MEAS_TYPE_FIRMWARE		0x01
#define SPDM_MEAS_TYPE_HW_CONFIG	0x02
#define SPDM_MEAS_TYPE_FW_CONFIG	0x03
#define SPDM_MEAS_TYPE_MANIFEST		0x04
#define SPDM_MEAS_TYPE_DEVICE_MODE	0x05
#define SPDM_MEAS_TYPE_VERSION		0x06
#define SPDM_MEAS_TYPE_SVN		0x07
#define SPDM_MEAS_TYPE_HASH_EXTEND	0x08
#define SPDM_MEAS_TYPE_INFORMATIONAL	0x09
#define SPDM_MEAS_TYPE_STRUCT_MANIFEST	0x0a

/* Sizes of the raw values with a defined layout */
#define SPDM_MEAS_DEVICE_MODE_SIZE	16	/* four u32 */
#define SPDM_MEAS_SVN_SIZE		8	/* u64 */

/* Table "Device mode field of a measurement block" (10.11.1.2) */
#define SPDM_OP_MODE_MANUFACTURING	BIT(0)
#define SPDM_OP_MODE_VALIDATION		BIT(1)
#define SPDM_OP_MODE_NORMAL		BIT(2)
#define SPDM_OP_MODE_RECOVERY		BIT(3)
#define SPDM_OP_MODE_RMA		BIT(4)
#define SPDM_OP_MODE_DECOMMISSIONED	BIT(5)
#define SPDM_DEV_MODE_NONINV_DEBUG_ACTIVE	BIT(0)
#define SPDM_DEV_MODE_INV_DEBUG_ACTIVE		BIT(1)
#define SPDM_DEV_MODE_NONINV_DEBUG_WAS_ACTIVE	BIT(2)
#define SPDM_DEV_MODE_INV_DEBUG_WAS_ACTIVE	BIT(3)
#define SPDM_DEV_MODE_INV_DEBUG_WAS_ACTIVE_MFG	BIT(4)

/*
 * GET_MEASUREMENT_EXTENSION_LOG and MEASUREMENT_EXTENSION_LOG (1.3) and
 * the DMTF measurement extension log they carry
 */
#define SPDM_MEL_REQ_SIZE	12	/* header, Offset, Length */
#define SPDM_MEL_RSP_HDR_SIZE	12	/* header, PortionLength, RemainderLength */
#define SPDM_MEL_HDR_SIZE	16	/* NumberOfEntries, EntriesLength, Reserved */
#define SPDM_MEL_ENTRY_HDR_SIZE	8	/* MEL index, MeasIndex, Reserved */

/**
 * struct spdm_caps - decoded CAPABILITIES
 * @ct_exponent: CTExponent, cryptographic timeout 2^CTExponent us
 * @flags: capability flags
 * @data_transfer_size: DataTransferSize (1.2+, else 0)
 * @max_msg_size: MaxSPDMmsgSize (1.2+, else 0)
 */
struct spdm_caps {
	u8 ct_exponent;
	u32 flags;
	u32 data_transfer_size;
	u32 max_msg_size;
};

/**
 * struct spdm_algs - NEGOTIATE_ALGORITHMS offer or ALGORITHMS selection
 * @meas_spec: MeasurementSpecification
 * @other_params: OtherParamsSupport / OtherParamsSelection (1.2+)
 * @meas_hash: MeasurementHashAlgo (response only)
 * @base_asym: BaseAsymAlgo
 * @base_hash: BaseHashAlgo
 */
struct spdm_algs {
	u8 meas_spec;
	u8 other_params;
	u32 meas_hash;
	u32 base_asym;
	u32 base_hash;
};

/**
 * struct spdm_error_rsp - decoded ERROR
 * @code: ErrorCode
 * @data: ErrorData
 * @rdt_exponent: ResponseNotReady RDTExponent
 * @request_code: ResponseNotReady RequestCode
 * @token: ResponseNotReady Token
 * @rdtm: ResponseNotReady RDTM
 */
struct spdm_error_rsp {
	u8 code;
	u8 data;
	u8 rdt_exponent;
	u8 request_code;
	u8 token;
	u8 rdtm;
};

/**
 * struct spdm_cert_rsp - decoded CERTIFICATE
 * @slot: SlotID from Param1
 * @portion_len: PortionLength
 * @remainder_len: RemainderLength
 * @portion: the portion's bytes, inside the decoded buffer
 */
struct spdm_cert_rsp {
	u8 slot;
	u16 portion_len;
	u16 remainder_len;
	const u8 *portion;
};

/**
 * struct spdm_challenge_auth - decoded CHALLENGE_AUTH
 * @slot: slot from Param1[3:0]
 * @slot_mask: Param2
 * @cert_chain_hash: CertChainHash (hash size bytes)
 * @nonce: responder's Nonce (32 bytes)
 * @meas_summary: MeasurementSummaryHash (NULL if not requested)
 * @opaque_len: OpaqueLength
 * @opaque: OpaqueData
 * @context: RequesterContext echo (1.3+, else NULL)
 * @sig: the signature
 * @sig_offset: offset of @sig in the message: the signed transcript
 *	covers the message up to here
 */
struct spdm_challenge_auth {
	u8 slot;
	u8 slot_mask;
	const u8 *cert_chain_hash;
	const u8 *nonce;
	const u8 *meas_summary;
	u16 opaque_len;
	const u8 *opaque;
	const u8 *context;
	const u8 *sig;
	size_t sig_offset;
};

/**
 * struct spdm_meas_rsp - decoded MEASUREMENTS
 * @total_indices: TotalNumberOfMeasurementIndices from Param1 (count
 *	requests only, else 0)
 * @slot: SlotID from Param2[3:0] (signed, 1.1+, else 0)
 * @content_changed: Param2[5:4] as SPDM_MEAS_CHANGED_* (signed, 1.2+,
 *	else 0)
 * @num_blocks: NumberOfBlocks
 * @record_len: MeasurementRecordLength
 * @record: MeasurementRecord; walk it with spdm_decode_meas_block()
 * @nonce: responder's Nonce (32 bytes)
 * @opaque_len: OpaqueDataLength
 * @opaque: OpaqueData
 * @context: RequesterContext echo (1.3+, else NULL)
 * @sig: the signature (NULL if none was requested)
 * @sig_offset: offset of @sig in the message: the L1/L2 transcript covers
 *	the message up to here (the whole message when unsigned)
 */
struct spdm_meas_rsp {
	u8 total_indices;
	u8 slot;
	u8 content_changed;
	u8 num_blocks;
	u32 record_len;
	const u8 *record;
	const u8 *nonce;
	u16 opaque_len;
	const u8 *opaque;
	const u8 *context;
	const u8 *sig;
	size_t sig_offset;
};

/**
 * struct spdm_meas_block - one decoded measurement block
 * @index: Index
 * @spec: MeasurementSpecification (always DMTF once decoded)
 * @type: DMTFSpecMeasurementValueType[6:0], SPDM_MEAS_TYPE_*
 * @raw: DMTFSpecMeasurementValueType[7], raw bit stream rather than digest
 * @value_len: DMTFSpecMeasurementValueSize
 * @value: DMTFSpecMeasurementValue, inside the decoded buffer
 * @block: the whole block, header included, as it was on the wire
 * @block_len: its length
 */
struct spdm_meas_block {
	u8 index;
	u8 spec;
	u8 type;
	bool raw;
	u16 value_len;
	const u8 *value;
	const u8 *block;
	size_t block_len;
};

/**
 * struct spdm_meas_device_mode - structured device mode (type 5)
 * @op_mode_caps: OperationalModeCapabilities, SPDM_OP_MODE_*
 * @op_mode_state: OperationalModeState, SPDM_OP_MODE_*
 * @dev_mode_caps: DeviceModeCapabilities, SPDM_DEV_MODE_*
 * @dev_mode_state: DeviceModeState, SPDM_DEV_MODE_*
 */
struct spdm_meas_device_mode {
	u32 op_mode_caps;
	u32 op_mode_state;
	u32 dev_mode_caps;
	u32 dev_mode_state;
};

/**
 * struct spdm_mel_rsp - decoded MEASUREMENT_EXTENSION_LOG
 * @portion_len: PortionLength
 * @remainder_len: RemainderLength
 * @portion: the portion's bytes, inside the decoded buffer
 */
struct spdm_mel_rsp {
	u32 portion_len;
	u32 remainder_len;
	const u8 *portion;
};

/**
 * struct spdm_mel_hdr - header of a DMTF measurement extension log
 * @num_entries: NumberOfEntries
 * @entries_len: length of all entries together, header excluded
 */
struct spdm_mel_hdr {
	u32 num_entries;
	u32 entries_len;
};

/**
 * struct spdm_mel_entry - one entry of a DMTF measurement extension log
 * @mel_index: MEL index of the entry
 * @meas_index: measurement index the entry extends
 * @type: DMTFSpecMeasurementValueType[6:0]
 * @raw: DMTFSpecMeasurementValueType[7]
 * @value_len: DMTFSpecMeasurementValueSize
 * @value: DMTFSpecMeasurementValue, inside the decoded buffer
 */
struct spdm_mel_entry {
	u32 mel_index;
	u8 meas_index;
	u8 type;
	bool raw;
	u16 value_len;
	const u8 *value;
};

int spdm_encode_header(void *buf, size_t size, u8 ver, u8 code,
		       u8 param1, u8 param2);
int spdm_check_header(const void *buf, size_t len, u8 ver, u8 code);

int spdm_decode_version(const void *buf, size_t len, u32 supported,
			u8 *selected);
int spdm_encode_get_capabilities(void *buf, size_t size, u8 ver,
				 const struct spdm_caps *caps);
int spdm_decode_capabilities(const void *buf, size_t len, u8 ver,
			     struct spdm_caps *caps);
int spdm_encode_negotiate_algorithms(void *buf, size_t size, u8 ver,
				     const struct spdm_algs *offer);
int spdm_decode_algorithms(const void *buf, size_t len, u8 ver,
			   struct spdm_algs *sel);
int spdm_decode_digests(const void *buf, size_t len, u8 ver,
			size_t hash_len, u8 *provisioned,
			const u8 **digests);
int spdm_encode_get_certificate(void *buf, size_t size, u8 ver, u8 slot,
				u16 offset, u16 length);
int spdm_decode_certificate(const void *buf, size_t len, u8 ver,
			    struct spdm_cert_rsp *rsp);
int spdm_encode_challenge(void *buf, size_t size, u8 ver, u8 slot,
			  u8 meas_summary_type, const u8 *nonce,
			  const u8 *context);
int spdm_decode_challenge_auth(const void *buf, size_t len, u8 ver,
			       size_t hash_len, size_t meas_summary_len,
			       size_t sig_len,
			       struct spdm_challenge_auth *rsp);
int spdm_encode_get_measurements(void *buf, size_t size, u8 ver, u8 attrs,
				 u8 op, const u8 *nonce, u8 slot,
				 const u8 *context);
int spdm_decode_measurements(const void *buf, size_t len, u8 ver, u8 op,
			     bool sig_requested, size_t sig_len,
			     size_t meas_hash_len, struct spdm_meas_rsp *rsp);
int spdm_decode_meas_block(const u8 *rec, size_t len, u8 ver,
			   size_t meas_hash_len, struct spdm_meas_block *blk);
int spdm_meas_device_mode(const struct spdm_meas_block *blk,
			  struct spdm_meas_device_mode *mode);
int spdm_meas_svn(const struct spdm_meas_block *blk, u64 *svn);
int spdm_encode_get_mel(void *buf, size_t size, u8 ver, u32 offset,
			u32 length);
int spdm_decode_mel(const void *buf, size_t len, u8 ver, u32 offset,
		    u32 length, struct spdm_mel_rsp *rsp);
int spdm_decode_mel_header(const u8 *mel, size_t len,
			   struct spdm_mel_hdr *hdr);
int spdm_decode_mel_entry(const u8 *p, size_t len,
			  struct spdm_mel_entry *entry);
int spdm_decode_error(const void *buf, size_t len,
		      struct spdm_error_rsp *err);
int spdm_encode_respond_if_ready(void *buf, size_t size, u8 ver,
				 u8 request_code, u8 token);

int spdm_chain_split(const u8 *chain, size_t len, size_t hash_len,
		     const u8 **root_hash, const u8 **certs,
		     size_t *certs_len);
int spdm_der_cert_len(const u8 *buf, size_t len, size_t *cert_len);
int spdm_x509_other_name(const u8 *cert, size_t len, const u8 *oid,
			 size_t oid_len, const u8 **val, size_t *val_len);
int spdm_build_prefix(u8 *prefix, u8 ver, const char *context);

#endif /* _SPDM_WIRE_H_ */
