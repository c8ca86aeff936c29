package ccbt.io.wire;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Test support: a handler that writes every callback down as a line of text. */
public class RecordingHandler implements PeerHandler {
    public final List<String> events = new ArrayList<>();
    public Throwable closedWith;
    public boolean closed;
    /** Events recorded when each {@link #onReadComplete} came, one count per read. */
    public final List<Integer> readsCompleteAfter = new ArrayList<>();

    @Override
    public void onReadComplete() {
        readsCompleteAfter.add(events.size());
    }

    @Override
    public void onChoke() {
        events.add("choke");
    }

    @Override
    public void onUnchoke() {
        events.add("unchoke");
    }

    @Override
    public void onInterested() {
        events.add("interested");
    }

    @Override
    public void onNotInterested() {
        events.add("not interested");
    }

    @Override
    public void onHave(final int piece) {
        events.add("have " + piece);
    }

    @Override
    public void onBitfield(final byte[] bits) {
        events.add("bitfield " + HexFormat.of().formatHex(bits));
    }

    @Override
    public void onRequest(final int piece, final int offset, final int length) {
        events.add("request " + piece + " " + offset + " " + length);
    }

    @Override
    public void onPiece(final int piece, final int offset, final ByteBuf data) {
        final byte[] copy = new byte[data.readableBytes()];
        data.getBytes(data.readerIndex(), copy);
        events.add("piece " + piece + " " + offset + " " + HexFormat.of().formatHex(copy));
    }

    @Override
    public void onCancel(final int piece, final int offset, final int length) {
        events.add("cancel " + piece + " " + offset + " " + length);
    }

    @Override
    public void onPort(final int port) {
        events.add("port " + port);
    }

    @Override
    public void onHaveAll() {
        events.add("have all");
    }

    @Override
    public void onHaveNone() {
        events.add("have none");
    }

    @Override
    public void onSuggest(final int piece) {
        events.add("suggest " + piece);
    }

    @Override
    public void onReject(final int piece, final int offset, final int length) {
        events.add("reject " + piece + " " + offset + " " + length);
    }

    @Override
    public void onAllowedFast(final int piece) {
        events.add("allowed fast " + piece);
    }

    @Override
    public void onExtensionHandshake(final ExtensionHandshake handshake) {
        events.add("extension handshake " + handshake);
    }

    @Override
    public void onExtended(final int id, final ByteBuf payload) {
        final byte[] copy = new byte[payload.readableBytes()];
        payload.getBytes(payload.readerIndex(), copy);
        events.add("extended " + id + " " + HexFormat.of().formatHex(copy));
    }

    @Override
    public void onKeepAlive() {
        events.add("keep-alive");
    }

    @Override
    public void onWritabilityChanged(final boolean writable) {
        events.add("writable " + writable);
    }

    @Override
    public void onClosed(final Throwable cause) {
        if (closed) {
            throw new AssertionError("onClosed called twice");
        }
        closed = true;
        closedWith = cause;
        events.add("closed");
    }
}
