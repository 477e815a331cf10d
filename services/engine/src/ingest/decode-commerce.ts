import type { Commerce, Product } from '@pulse/proto';
import { fail, WIRE_FIXED64, WIRE_LENGTH } from './wire-reader.js';
import type { WireReader } from './wire-reader.js';

// pulse.v1.Commerce and its line items, for the ingest fast path
// (decode-event.ts). A Commerce that comes twice merges into the first:
// fields on the wire replace, products append.

export function readCommerce(r: WireReader, into: Commerce | undefined): Commerce {
  const commerce: Commerce = into ?? {
    $typeName: 'pulse.v1.Commerce',
    orderId: '',
    revenue: 0,
    currency: '',
    discount: 0,
    shipping: 0,
    tax: 0,
    products: [],
  };
  const outer = r.enter();
  while (r.pos < r.end) {
    const tag = r.uint31();
    switch (tag) {
      case (1 << 3) + WIRE_LENGTH:
        commerce.orderId = r.string();
        break;
      case (2 << 3) + WIRE_FIXED64:
        commerce.revenue = r.double();
        break;
      case (3 << 3) + WIRE_LENGTH:
        commerce.currency = r.string();
        break;
      case (4 << 3) + WIRE_FIXED64:
        commerce.discount = r.double();
        break;
      case (5 << 3) + WIRE_FIXED64:
        commerce.shipping = r.double();
        break;
      case (6 << 3) + WIRE_FIXED64:
        commerce.tax = r.double();
        break;
      case (7 << 3) + WIRE_LENGTH:
        commerce.products.push(readProduct(r));
        break;
      default:
        fail();
    }
  }
  r.end = outer;
  return commerce;
}

function readProduct(r: WireReader): Product {
  const product: Product = {
    $typeName: 'pulse.v1.Product',
    productId: '',
    sku: '',
    name: '',
    category: '',
    brand: '',
    price: 0,
    quantity: 0,
    coupon: '',
  };
  const outer = r.enter();
  while (r.pos < r.end) {
    const tag = r.uint31();
    switch (tag) {
      case (1 << 3) + WIRE_LENGTH:
        product.productId = r.string();
        break;
      case (2 << 3) + WIRE_LENGTH:
        product.sku = r.string();
        break;
      case (3 << 3) + WIRE_LENGTH:
        product.name = r.string();
        break;
      case (4 << 3) + WIRE_LENGTH:
        product.category = r.string();
        break;
      case (5 << 3) + WIRE_LENGTH:
        product.brand = r.string();
        break;
      case (6 << 3) + WIRE_FIXED64:
        product.price = r.double();
        break;
      case (7 << 3) + WIRE_FIXED64:
        product.quantity = r.double();
        break;
      case (8 << 3) + WIRE_LENGTH:
        product.coupon = r.string();
        break;
      default:
        fail();
    }
  }
  r.end = outer;
  return product;
}
