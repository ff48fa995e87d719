package bench.quarkus;

import java.math.BigDecimal;

/**
 * One item of {@code GET /items}.
 *
 * @param sku      its stock-keeping unit
 * @param name     its name
 * @param quantity how many are in stock
 * @param price    its unit price
 */
public record Item(String sku, String name, int quantity, BigDecimal price) {
}
