package ccbt.io.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;

/**
 * Base of ccbt's inbound handlers: passes every event on, as Netty's {@code ChannelInboundHandlerAdapter} does, but
 * carries no annotations. Netty decides which handler methods to call by reading their {@code @Skip} annotations,
 * and checks handlers for {@code @Sharable}; the first such read in a process builds annotation proxy classes at
 * run time (four here, with their meta-annotations), which the JDK's AOT cache cannot hold, so every process paid
 * for generating, loading and compiling them again (docs/performance.md). Handlers built on this class, with no
 * Netty bootstrap or {@code ChannelInitializer} in the pipeline, leave Netty nothing to read.
 */
abstract class PassThroughInboundHandler implements ChannelInboundHandler {
    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) {
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx) {
    }

    @Override
    public void channelRegistered(final ChannelHandlerContext ctx) {
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelUnregistered(final ChannelHandlerContext ctx) {
        ctx.fireChannelUnregistered();
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) {
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) {
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx) {
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        ctx.fireExceptionCaught(cause);
    }
}
